// Destroying a stopped container (runtime-spec "delete"): end whatever is left in its
// cgroup, remove the cgroups runt made, then the state directory.

import { SIGNALS } from '../spec/linux-names'
import type { Container } from './container'
import { containerCgroups } from './container-cgroups'
import { runHooksWarnOnly, stateForHooks } from '../hooks/run'
import { log } from '../log'
import { stopPoint } from '../debug/stop-point'

export function destroyContainer(c: Container): void {
  const cgroups = containerCgroups(c)
  if (cgroups !== null) {
    // without a pid namespace of its own, the init's death does not end the others
    if (c.record?.sharedPidNs) cgroups.killAll(SIGNALS.KILL)
    cgroups.destroy()
  }
  stopPoint('delete:cgroups')
  c.handle.remove()
  // poststop: after the container is gone; a failure is only a warning
  if (c.record?.config.hooks?.poststop?.length) {
    const warnings = runHooksWarnOnly('poststop', c.record.config.hooks.poststop, stateForHooks(c.record, 'stopped'), { cwd: c.record.bundle })
    for (const w of warnings) log().warn(w, { id: c.id })
  }
}
