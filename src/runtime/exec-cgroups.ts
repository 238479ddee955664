// The cgroups of an exec'd process: the container's own, or a sub-cgroup of them named
// with --cgroup ([<controller>[,<controller>]:]<path>, runc's syntax). The process is
// moved in while the executor holds it before CONTINUE, so it never runs outside them.

import path from 'node:path'
import { UsageError } from '../errors'
import { cgroupManager } from '../cgroups/manager'
import type { ContainerRecord } from '../state/store'

/** controller ("" for every hierarchy) -> path below the container's group */
export type SubCgroups = Record<string, string>

/** Parse the --cgroup values the way runc does. */
export function parseSubCgroups(args: readonly string[]): SubCgroups {
  const out: SubCgroups = {}
  for (const arg of args) {
    const colon = arg.indexOf(':')
    if (colon < 0) {
      if (args.length !== 1) throw new UsageError(`invalid --cgroup argument: ${arg} (missing <controller>: prefix)`)
      out[''] = arg
      continue
    }
    const where = arg.slice(colon + 1)
    for (const controller of arg.slice(0, colon).split(',')) {
      if (controller === '') throw new UsageError(`invalid --cgroup argument: ${arg} (empty <controller> prefix)`)
      if (controller in out) throw new UsageError(`invalid --cgroup argument(s): controller ${controller} specified multiple times`)
      out[controller] = where
    }
  }
  return out
}

/**
 * The directory per hierarchy key the process joins: the container's own, or the
 * named sub-cgroup below it (cleaned so that ".." cannot leave the container's group).
 */
export function execCgroupDirs(containerDirs: Readonly<Record<string, string>>, sub: SubCgroups): Record<string, string> {
  const keys = Object.keys(containerDirs)
  for (const controller of Object.keys(sub)) {
    if (controller !== '' && !keys.some(k => matches(k, controller))) {
      throw new UsageError(`invalid --cgroup argument: the container has no cgroup for controller ${controller}`)
    }
  }
  const out: Record<string, string> = {}
  for (const [key, dir] of Object.entries(containerDirs)) {
    const controller = Object.keys(sub).find(c => c === '' || matches(key, c))
    out[key] = controller === undefined ? dir : path.join(dir, path.posix.normalize(`/${sub[controller]}`))
  }
  return out
}

/** a hierarchy key is its mount's name: "memory", "cpu,cpuacct", "unified" */
function matches(key: string, controller: string): boolean {
  return key === controller || key.split(',').includes(controller)
}

/** Put pid into the container's cgroups (or the sub-cgroups asked for). */
export function joinExecCgroups(rec: ContainerRecord, pid: number, sub: SubCgroups): void {
  const paths = execCgroupDirs(rec.cgroupPaths, sub)
  cgroupManager({ id: rec.id, cgroupsPath: rec.config.linux?.cgroupsPath, paths }).join(pid)
}
