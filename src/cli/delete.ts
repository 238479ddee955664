// runt delete [--force] <id>: remove a stopped container and everything it holds.
// A created container is killed first (as runc does); a running one only with --force.

import { ContainerIdError, RuntError, StatusError } from '../errors'
import type { GlobalOptions } from './context'
import { openContainer, type Container } from '../runtime/container'
import { containerCgroups } from '../runtime/container-cgroups'
import { destroyContainer } from '../runtime/destroy'
import { signalInit, waitForInitExit } from '../runtime/init-process'
import { SIGNALS } from '../spec/linux-names'
import { stopPoint } from '../debug/stop-point'
import { StateStore } from '../state/store'

export function deleteCommand(g: GlobalOptions, [id]: string[], opts: Record<string, unknown>): number {
  const force = opts.force === true
  // --force is how clients recover: it also clears what killed creates and deletes left
  if (force) new StateStore(g.root).sweepAbandoned()
  let c: Container
  try {
    c = openContainer(g, id)
  } catch (err) {
    // a forced delete of a container that is already gone has nothing left to do
    if (force && err instanceof ContainerIdError && err.message === 'container does not exist') return 0
    throw err
  }
  try {
    if (c.status !== 'stopped' && c.record !== null) {
      if (c.status !== 'created' && !force) {
        throw new StatusError(`cannot delete container ${id} that is not stopped: ${c.status}`, { id })
      }
      killAndWait(c)
    }
    stopPoint('delete:killed')
    destroyContainer(c)
    return 0
  } finally {
    c.handle.release()
  }
}

function killAndWait(c: Container): void {
  const rec = c.record!
  try {
    signalInit(rec, SIGNALS.KILL)
  } catch (err) {
    if (!(err instanceof StatusError)) throw err // already gone is what we want
  }
  // a frozen process (v1 freezer) only acts on the SIGKILL once it is thawed
  if (c.status === 'paused') containerCgroups(c)?.thaw()
  if (!waitForInitExit(rec, 10_000)) {
    throw new RuntError(`container init (pid ${rec.initPid}) still running 10s after SIGKILL`, { id: c.id })
  }
}
