// A container process that runt waits for in the foreground (run, exec): it is
// runt's child, so runt reaps it and turns its end into an exit status.

import fs from 'node:fs'
import os from 'node:os'
import { native } from '../sys/native'

const FORWARDED: NodeJS.Signals[] = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2', 'SIGWINCH', 'SIGCONT', 'SIGALRM']

/** Wait for our child to end: its exit code, or 128+signal. */
export function waitForChild(pid: number, pollMs = 2): Promise<number> {
  return new Promise((resolve, reject) => {
    const check = () => {
      try {
        const r = native().waitPid(pid, true)
        if (r === null) return void setTimeout(check, pollMs)
        resolve(r.exited ? r.status : 128 + r.signal)
      } catch (err) {
        reject(err)
      }
    }
    check()
  })
}

/** Pass the signals runt receives on to the process; returns the undo. */
export function forwardSignals(pid: number): () => void {
  let pidfd: number | null = null
  try {
    pidfd = native().pidfdOpen(pid)
  } catch {
    return () => {}
  }
  const fd = pidfd
  const handler = (sig: NodeJS.Signals) => {
    try {
      native().pidfdSendSignal(fd, osSignal(sig))
    } catch { /* the process is already gone */ }
  }
  for (const s of FORWARDED) process.on(s, handler)
  return () => {
    for (const s of FORWARDED) process.off(s, handler)
    fs.closeSync(fd)
  }
}

function osSignal(sig: NodeJS.Signals): number {
  return os.constants.signals[sig]
}
