// runt kill <id> [signal]: send a signal (default SIGTERM) to the container's init.
// With --all, to every process in the container's cgroup; that also works, and is
// how clients clean up, after the init has exited.

import { StatusError } from '../errors'
import type { GlobalOptions } from './context'
import { withContainer } from '../runtime/container'
import { containerCgroups } from '../runtime/container-cgroups'
import { signalInit } from '../runtime/init-process'
import { parseSignal } from '../runtime/signals'
import { SIGNALS } from '../spec/linux-names'

export function kill(g: GlobalOptions, [id, signalText]: string[], opts: Record<string, unknown>): Promise<number> {
  const signal = parseSignal(signalText ?? 'SIGTERM')
  const all = opts.all === true
  return withContainer(g, id, c => {
    // the groups only where they are used: a plain kill signals the init alone
    const cgroups = () => containerCgroups(c)
    if (c.status === 'stopped' || c.record === null) {
      if (!all) throw new StatusError('container not running', { id })
      cgroups()?.killAll(signal)
      return 0
    }
    if (all) {
      cgroups()?.killAll(signal)
      return 0
    }
    signalInit(c.record, signal)
    // a container sharing a pid namespace does not end with its init: SIGKILL means all of it
    if (signal === SIGNALS.KILL && c.record.sharedPidNs) cgroups()?.killAll(signal)
    // a frozen process (v1 freezer) only acts on a SIGKILL once it is thawed
    if (signal === SIGNALS.KILL && c.status === 'paused') cgroups()?.thaw()
    return 0
  })
}
