// An existing container as the commands see it: its locked state directory, its
// record, and its status derived from the live system (never stored).

import type { GlobalOptions } from '../cli/context'
import { validateId } from '../state/ids'
import { StateStore, type ContainerHandle, type ContainerRecord } from '../state/store'
import { containerStatus, type Status } from '../state/status'
import { cgroupManager, type CgroupManager } from '../cgroups/manager'

export interface Container {
  id: string
  handle: ContainerHandle
  /** null when a create was killed before it recorded anything */
  record: ContainerRecord | null
  status: Status
}

/** Open (and lock) an existing container; `container does not exist` otherwise. */
export function openContainer(g: GlobalOptions, id: string): Container {
  validateId(id)
  const handle = new StateStore(g.root).open(id)
  try {
    const record = handle.read()
    const status = record === null ? 'stopped' : containerStatus(record, handle.dir)
    return { id, handle, record, status }
  } catch (err) {
    handle.release()
    throw err
  }
}

/** The cgroups the container was given, as recorded at create. */
export function containerCgroups(c: Container): CgroupManager | null {
  const rec = c.record
  if (rec === null) return null
  return cgroupManager({ id: c.id, cgroupsPath: rec.config.linux?.cgroupsPath, paths: rec.cgroupPaths, created: rec.cgroupDirsCreated })
}

/** Run fn with the container open, always releasing its lock. */
export async function withContainer<T>(g: GlobalOptions, id: string, fn: (c: Container) => T | Promise<T>): Promise<T> {
  const c = openContainer(g, id)
  try {
    return await fn(c)
  } finally {
    c.handle.release()
  }
}
