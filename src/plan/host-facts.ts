// The real HostFacts, read from this machine. The cgroup layout comes from the
// caller: the cgroups module knows the container's cgroup directories.

import { existsSync, statSync } from 'node:fs'
import type { CgroupLayout, HostFacts } from './inputs'

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
  }
}
