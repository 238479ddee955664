// What buildPlan needs besides config.json: the command-line options, and the
// few facts about the host it must not look up itself (planning stays pure).

import type { SeccompPlan } from './types'

export interface PlanOptions {
  /** absolute bundle dir: relative root.path and relative bind sources resolve against it */
  bundle: string
  /** --no-pivot */
  noPivot: boolean
  /** --no-new-keyring */
  noNewKeyring: boolean
  /** --preserve-fds */
  preserveFds: number
  /** linux.seccomp compiled (src/seccomp/compile.ts), null for none */
  seccomp?: SeccompPlan | null
}

export interface CgroupHierarchy {
  /** directory name under /sys/fs/cgroup in the container, e.g. "memory" or "cpu,cpuacct" */
  name: string
  /** host directory of the container's cgroup in that hierarchy */
  hostPath: string
}

export type CgroupLayout = { kind: 'unified' } | { kind: 'v1'; hierarchies: CgroupHierarchy[] }

export interface HostFacts {
  /** true when the host path is a directory; undefined when it does not exist */
  isDirectory(hostPath: string): boolean | undefined
  /** cgroup v1 hierarchies to show at /sys/fs/cgroup in the container, or 'unified' for cgroup v2 */
  cgroupLayout: CgroupLayout
  /** whether /proc/kcore exists on the host (runc adds the /dev/core symlink then) */
  hasProcKcore: boolean
  /** the host's online NUMA nodes (/sys/devices/system/node/online); absent or null: unknown */
  numaNodesOnline?: number[] | null
  /** SELinux is enabled: linux.mountLabel is applied (else ignored, as runc); absent means no */
  selinuxEnabled?: boolean
}
