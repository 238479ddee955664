// Handing controllers down a unified (v2) hierarchy.
//
// A v2 group offers its children only the controllers listed in its own
// cgroup.subtree_control, so each group above the container's must enable them
// there. The no-internal-processes rule: the kernel refuses (EBUSY) to enable a
// controller in a group that has processes of its own, except in the root group.
// Such a group is left untouched; the container then simply lacks those controllers,
// and applying a resource limit that needs one fails there with the file's name.

import path from 'node:path'
import { SystemError } from '../errors'
import type { CgroupHost } from './host'
import { readWords } from './host'

/** Enable in dir's cgroup.subtree_control every controller dir is offered and has not enabled yet. */
export function delegateControllers(host: CgroupHost, dir: string, isHierarchyRoot: boolean): void {
  const enabled = readWords(host, path.join(dir, 'cgroup.subtree_control'))
  const missing = readWords(host, path.join(dir, 'cgroup.controllers')).filter(c => !enabled.includes(c))
  if (missing.length === 0) return
  if (!isHierarchyRoot && readWords(host, path.join(dir, 'cgroup.procs')).length > 0) return
  const file = path.join(dir, 'cgroup.subtree_control')
  try {
    host.write(file, missing.map(c => `+${c}`).join(' '))
  } catch {
    // One refused controller (e.g. cpuset in a threaded subtree) fails the whole write:
    // enable the others one by one.
    for (const c of missing) {
      try {
        host.write(file, `+${c}`)
      } catch {
        // left disabled; see the comment at the top
      }
    }
  }
}

/** Kill every process in the group at once (cgroup.kill, Linux 5.14+); false when the kernel has no cgroup.kill. */
export function killViaCgroupKill(host: CgroupHost, dir: string): boolean {
  const file = path.join(dir, 'cgroup.kill')
  if (!host.exists(file)) return false
  host.write(file, '1')
  return true
}

/**
 * Attach the container's device filter (device-filter.ts) to its group: the v2 form of
 * linux.resources.devices. The kernel checks every open and mknod of a device node by a
 * process of the group (and of groups below it) against it.
 */
export function attachDeviceFilter(host: CgroupHost, id: string, dir: string, program: Buffer): void {
  try {
    host.attachDeviceFilter(dir, program)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw new SystemError(`container ${id}: linux.resources.devices: attaching the device filter to cgroup ${dir}: ${e.message}`, { id, path: dir, errno: e.code, cause: err })
  }
}
