// The container's init process, addressed safely: through a pidfd taken while the
// pid still names the recorded process (same start time), so a recycled pid is
// never signalled.

import fs from 'node:fs'
import { StatusError } from '../errors'
import type { ContainerRecord } from '../state/store'
import { initIsAlive, processStartTime } from '../state/status'
import { native } from '../sys/native'

/** A pidfd for the recorded init, or null when that process is gone. */
function openInit(rec: ContainerRecord): number | null {
  if (rec.initPid <= 0) return null
  let fd: number
  try {
    fd = native().pidfdOpen(rec.initPid)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return null
    throw err
  }
  // the pidfd pins the process: if the start time still matches now, it is ours
  if (processStartTime(rec.initPid) !== rec.initStartTime) {
    fs.closeSync(fd)
    return null
  }
  return fd
}

/** Send a signal to the init; StatusError('container not running') when it is gone. */
export function signalInit(rec: ContainerRecord, signal: number): void {
  const fd = openInit(rec)
  if (fd === null) throw new StatusError('container not running', { id: rec.id })
  try {
    native().pidfdSendSignal(fd, signal)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') throw new StatusError('container not running', { id: rec.id })
    throw err
  } finally {
    fs.closeSync(fd)
  }
}

/** Wait until the init is gone; false if it is still alive after timeoutMs. */
export function waitForInitExit(rec: ContainerRecord, timeoutMs: number): boolean {
  const fd = openInit(rec)
  if (fd === null) return true
  try {
    const deadline = Date.now() + timeoutMs
    while (initIsAlive(rec)) {
      const left = deadline - Date.now()
      if (left <= 0) return false
      // a pidfd becomes readable when its process exits: no sleeping in ticks
      native().pollIn(fd, Math.min(left, 50))
    }
    return true
  } finally {
    fs.closeSync(fd)
  }
}
