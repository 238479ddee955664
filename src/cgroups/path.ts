// linux.cgroupsPath as runc's cgroupfs driver reads it (pure):
// - absolute: the same path below every hierarchy's mount point;
// - relative: below the runtime's own cgroup in each hierarchy (/proc/self/cgroup);
// - empty or absent: the relative path <container id>.
// On a unified (v2-only) host a relative path starts at the *parent* of the runtime's
// own cgroup, as runc does: the runtime's own cgroup usually holds processes, and a
// v2 group with processes cannot hand controllers down to children.
// (The cgroup2 group of a hybrid host follows the v1 rule; runc puts it at the mount's
// root instead, which differs only when the runtime is not in the v2 root cgroup.)

import path from 'node:path'
import { ConfigError } from '../errors'
import type { CgroupLayout, CgroupMode, Hierarchy } from './detect'

/** Normalise like runc's CleanPath: ".." can never climb above "/" (or above the start of a relative path). */
export function cleanCgroupsPath(p: string): string {
  if (p === '') return ''
  if (p.startsWith('/')) return path.posix.normalize(p).replace(/(.)\/$/, '$1')
  return path.posix.relative('/', path.posix.normalize('/' + p))
}

/** The container's cgroup as configured: absolute ("/a/b") or relative ("a/b"), never empty. */
export function innerCgroupPath(id: string, cgroupsPath?: string): string {
  const inner = cleanCgroupsPath(cgroupsPath ?? '') || cleanCgroupsPath(id)
  if (inner === '' || inner === '/') {
    throw new ConfigError([`linux.cgroupsPath ${JSON.stringify(cgroupsPath ?? '')} names no cgroup of its own for container ${id}`], { id })
  }
  return inner
}

/** The container's cgroup directory in one hierarchy. */
export function hierarchyCgroupDir(h: Hierarchy, mode: CgroupMode, inner: string): string {
  if (inner.startsWith('/')) return path.posix.join(h.mountpoint, inner)
  const base = mode === 'unified' ? path.posix.dirname(h.ownCgroup) : h.ownCgroup
  return path.posix.join(h.mountpoint, base, inner)
}

/** The container's cgroup directory per hierarchy key. */
export function containerCgroupDirs(layout: CgroupLayout, id: string, cgroupsPath?: string): Record<string, string> {
  const inner = innerCgroupPath(id, cgroupsPath)
  const dirs: Record<string, string> = {}
  for (const h of layout.hierarchies) dirs[h.key] = hierarchyCgroupDir(h, layout.mode, inner)
  return dirs
}
