// A container process that runt waits for in the foreground (run, exec): it is
// runt's child, so runt reaps it and turns its end into an exit status.

import fs from 'node:fs'
import os from 'node:os'
import { native } from '../sys/native'
import { relayTerminal } from './console'

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

/**
 * Pass the signals runt receives on to the process; returns the undo. With a terminal
 * relay, SIGWINCH is not passed on: the relay resizes the pty, and the kernel tells
 * the container's foreground process group.
 */
export function forwardSignals(pid: number, except: readonly NodeJS.Signals[] = []): () => void {
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
  const signals = FORWARDED.filter(s => !except.includes(s))
  for (const s of signals) process.on(s, handler)
  return () => {
    for (const s of signals) process.off(s, handler)
    fs.closeSync(fd)
  }
}

function osSignal(sig: NodeJS.Signals): number {
  return os.constants.signals[sig]
}

/**
 * Wait for a foreground process: relay its terminal when it has one (master), pass on
 * runt's signals, and return its exit status (128+signal when it was killed).
 */
export async function superviseForeground(pid: number, master: number | null): Promise<number> {
  const stopForwarding = forwardSignals(pid, master === null ? [] : ['SIGWINCH'])
  try {
    const exited = waitForChild(pid)
    return master === null ? await exited : await relayTerminal(master, exited)
  } finally {
    stopForwarding()
  }
}

/**
 * runt runs next to container processes (a foreground run or exec, or until a detached
 * exec has written its pid file). Non-dumpable, its /proc/<pid>/exe and fds are out of
 * reach of a container process without CAP_SYS_PTRACE (CVE-2019-5736 went that way).
 */
export function hideFromContainers(): void {
  native().setDumpable(false)
}
