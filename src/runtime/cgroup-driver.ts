// Which cgroup driver a call may use. The systemd driver (--systemd-cgroup) is not
// built yet: refuse it clearly rather than silently using cgroupfs.

import { RuntError } from '../errors'
import type { GlobalOptions } from '../cli/context'

export function requireCgroupDriver(g: GlobalOptions): void {
  if (g.systemdCgroup) {
    throw new RuntError('--systemd-cgroup: the systemd cgroup driver is not available in runt yet (use the default cgroupfs driver)')
  }
}
