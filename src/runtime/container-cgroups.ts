// The cgroups of an existing container (container.ts), as recorded at create. Those
// that signal, freeze or remove (kill --all, delete, pause, resume, ps) take the groups
// alone; update and events, which change limits or read statistics, the whole manager.
// So the commands that need neither (state) load no cgroup code at all, and the simple
// commands' bundles stay small.

import { cgroupGroups, type CgroupGroups, type CgroupGroupsOptions } from '../cgroups/groups'
import { cgroupManager, type CgroupManager } from '../cgroups/manager'
import type { Container } from './container'

function recorded(c: Container): CgroupGroupsOptions | null {
  if (c.record === null) return null
  return { id: c.id, cgroupsPath: c.record.config.linux?.cgroupsPath, paths: c.record.cgroupPaths, created: c.record.cgroupDirsCreated }
}

/** The groups the container was given; null when nothing was recorded. */
export function containerCgroups(c: Container): CgroupGroups | null {
  const opts = recorded(c)
  return opts && cgroupGroups(opts)
}

/** The same groups with their limits and statistics (update, events). */
export function containerCgroupManager(c: Container): CgroupManager | null {
  const opts = recorded(c)
  return opts && cgroupManager(opts)
}
