// poststart hooks run after the user process started, before `start` returns. Since
// runtime-spec 1.3.0 a failing one is an error, and the container is stopped.

import type { ContainerRecord } from '../state/store'
import { runHooks, stateForHooks } from '../hooks/run'
import { signalInit } from './init-process'
import { SIGNALS } from '../spec/linux-names'

export function runPoststart(rec: ContainerRecord): void {
  const hooks = rec.config.hooks?.poststart
  if (!hooks?.length) return
  try {
    runHooks('poststart', hooks, stateForHooks(rec, 'running', rec.initPid), { cwd: rec.bundle })
  } catch (err) {
    try {
      signalInit(rec, SIGNALS.KILL)
    } catch { /* already gone */ }
    throw err
  }
}
