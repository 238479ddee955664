// What a cgroup v1 hierarchy needs beyond mkdir before a process can join.

import path from 'node:path'
import type { CgroupHost } from './host'

/**
 * A new v1 cpuset group starts with empty cpuset.cpus and cpuset.mems, and the kernel
 * refuses to move a task into it (ENOSPC) until both are set: copy the parent's.
 */
export function fillEmptyCpuset(host: CgroupHost, dir: string): void {
  for (const name of ['cpuset.cpus', 'cpuset.mems']) {
    const file = path.join(dir, name)
    if ((host.read(file) ?? '').trim() !== '') continue
    const inherited = (host.read(path.join(path.dirname(dir), name)) ?? '').trim()
    if (inherited !== '') host.write(file, inherited)
  }
}
