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
  return async (args: string[], extraFds: number[] = []): Promise<Result> => {
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

/** Start runt with args and wait until it stops itself at point; rejects when it exits first. */
export async function runtStoppedAt(root: string, args: string[], point: string): Promise<StoppedRunt> {
  const child = spawn(RUNT, ['--root', root, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, RUNT_TEST_STOP_AT: point },
  })
  let stderr = ''
  child.stderr!.on('data', d => { stderr += d })
  const exited = once(child, 'exit')
  await once(child, 'spawn')
  const pid = child.pid!
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`runt ${args[0]} exited before ${point}: ${stderr.trim()}`)
    }
    if (readProcStat(pid)?.state === 'T') break
    await new Promise(r => setTimeout(r, 5))
  }
  return {
    child,
    pid,
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
    async resume() {
      child.kill('SIGCONT')
      const [code] = await exited
      return code as number | null
    },
  }
}
