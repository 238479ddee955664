// linux.mountLabel (SELinux): runc passes it to the kernel as a `context="<label>"`
// mount option on the file systems it mounts itself, except binds (they keep the
// source's labels) and proc, sysfs, mqueue and cgroup (labelled by policy). While
// SELinux is disabled the label is ignored, as runc does (the caller passes none).

import type { MountOp } from './types'

const MS_BIND = 0x1000
const UNLABELLED = new Set(['proc', 'sysfs', 'mqueue', 'cgroup', 'cgroup2'])

export function withMountLabel(mounts: MountOp[], mountLabel: string | undefined): MountOp[] {
  if (!mountLabel) return mounts
  const context = `context=${JSON.stringify(mountLabel)}`
  return mounts.map(m =>
    m.flags & MS_BIND || UNLABELLED.has(m.fstype) ? m : { ...m, data: m.data ? `${m.data},${context}` : context })
}
