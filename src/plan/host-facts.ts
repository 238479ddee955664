// The real HostFacts, read from this machine. The cgroup layout comes from the
// caller: the cgroups module knows the container's cgroup directories.

import { existsSync, readFileSync, statSync } from 'node:fs'
import { parseCpuList } from './cpu-list'
import type { CgroupLayout, HostFacts } from './inputs'
import { HOST_LSM } from '../sys/lsm-host'

export function hostFacts(cgroupLayout: CgroupLayout): HostFacts {
  return {
    isDirectory(hostPath: string): boolean | undefined {
      // follows symlinks, as mount(2) does with a bind source; a path that cannot
      // be looked up counts as missing (the mount itself will then say why)
      try {
        return statSync(hostPath).isDirectory()
      } catch {
        return undefined
      }
    },
    cgroupLayout,
    hasProcKcore: existsSync('/proc/kcore'),
    get selinuxEnabled() {
      return HOST_LSM.selinux()
    },
    get numaNodesOnline() {
      return onlineNumaNodes()
    },
  }
}

/** "0-1" from sysfs as [0, 1]; null without NUMA support or when unreadable */
function onlineNumaNodes(): number[] | null {
  try {
    return parseCpuList(readFileSync('/sys/devices/system/node/online', 'utf8').trim(), '/sys/devices/system/node/online')
  } catch {
    return null
  }
}
