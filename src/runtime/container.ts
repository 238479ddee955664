// An existing container as the commands see it: its locked state directory, its
// record, and its status derived from the live system (never stored).

import type { GlobalOptions } from '../cli/context'
import { validateId } from '../state/ids'
import { StateStore, type ContainerHandle, type ContainerRecord } from '../state/store'
import { containerStatus, type Status } from '../state/status'
import { frozenByRecord } from '../cgroups/freezer'
import { hostCgroups } from '../cgroups/host'

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
    const status = record === null ? 'stopped' : containerStatus(record, handle.dir, { isFrozen: recordIsFrozen })
    return { id, handle, record, status }
  } catch (err) {
    handle.release()
    throw err
  }
}

/**
 * The freezer probe for containerStatus: paused when the container's group is frozen,
 * read from the recorded directories (no cgroup manager: `state` never needs one).
 */
function recordIsFrozen(rec: ContainerRecord): boolean {
  try {
    return frozenByRecord(rec.cgroupPaths, hostCgroups)
  } catch {
    return false // a record whose cgroups cannot be read is judged by its init alone
  }
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
