// Run bin/runt until it freezes itself at a named point (RUNT_TEST_STOP_AT, see
// src/debug/stop-point.ts), for tests that kill it there or act while it waits.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { readProcStat } from '../../src/state/status'
import { RUNT, type Result } from './helpers'

/**
 * bin/runt with this root, without blocking the event loop (so several run at once).
 * Output goes to files: a detached container inherits them, and a pipe would stay open.
 */
export function runtAsync(root: string) {
  /** extraFds[i] becomes fd 3+i of runt ('ignore': that fd is not open) */
  return async (args: string[], extraFds: Array<number | 'ignore'> = []): Promise<Result> => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-out-'))
    const out = fs.openSync(path.join(dir, 'out'), 'w+')
    const err = fs.openSync(path.join(dir, 'err'), 'w+')
    try {
      const child = spawn(RUNT, ['--root', root, ...args], { stdio: ['ignore', out, err, ...extraFds] })
      const [status, signal] = await once(child, 'exit') as [number | null, NodeJS.Signals | null]
      const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8')
      return { status, signal, stdout: read('out'), stderr: read('err') }
    } finally {
      fs.closeSync(out)
      fs.closeSync(err)
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

export interface StoppedRunt {
  child: ChildProcess
  pid: number
  /** SIGKILL it (as a crash would) and wait until it is gone */
  kill(): Promise<void>
  /** let it go on and wait for its exit status */
  resume(): Promise<number | null>
}

/**
 * Start runt with RUNT_TEST_STOP_AT=point and wait until stopped(runt's pid) names the
 * process that stopped itself there; rejects when runt exits first.
 */
async function stopAt(root: string, args: string[], point: string, stopped: (pid: number) => number | undefined): Promise<StoppedExecutor> {
  const child = spawn(RUNT, ['--root', root, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RUNT_TEST_STOP_AT: point },
  })
  let stderr = ''
  child.stderr!.on('data', d => { stderr += d })
  const exited = once(child, 'exit')
  await once(child, 'spawn')
  const pid = child.pid!
  let stoppedPid: number | undefined
  while ((stoppedPid = stopped(pid)) === undefined) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`runt ${args[0]} exited before ${point}: ${stderr.trim()}`)
    }
    await new Promise(r => setTimeout(r, 5))
  }
  const executorPid = stoppedPid
  return {
    child,
    pid,
    executorPid,
    async kill() {
      if (executorPid !== pid) process.kill(executorPid, 'SIGKILL')
      child.kill('SIGKILL')
      await exited
    },
    async resume() {
      process.kill(executorPid, 'SIGCONT')
      const [code] = await exited
      return code as number | null
    },
  }
}

/** Start runt with args and wait until it stops itself at point; rejects when it exits first. */
export async function runtStoppedAt(root: string, args: string[], point: string): Promise<StoppedRunt> {
  return stopAt(root, args, point, pid => (readProcStat(pid)?.state === 'T' ? pid : undefined))
}

export interface StoppedExecutor extends StoppedRunt {
  /** host pid of the process that stopped itself (runt's own for runtStoppedAt) */
  executorPid: number
}

/** Stopped children of pid (state T in /proc/PID/stat). */
function stoppedChildren(pid: number): number[] {
  const found: number[] = []
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    let stat: string
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'latin1')
    } catch {
      continue
    }
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    if (state === 'T' && Number(ppid) === pid) found.push(Number(name))
  }
  return found
}

/**
 * Start runt with args and wait until its executor stops itself at point (one of
 * EXECUTOR_STOP_POINTS, src/debug/stop-point.ts); runt itself runs on, waiting for it.
 * resume() continues the executor and waits for runt's exit status; kill() kills both.
 */
export async function runtExecutorStoppedAt(root: string, args: string[], point: string): Promise<StoppedExecutor> {
  return stopAt(root, args, point, pid => stoppedChildren(pid)[0])
}
