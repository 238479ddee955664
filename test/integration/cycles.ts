// Container lifecycles in bulk: create, kill KILL, delete on ids <prefix><n>, `cycles`
// times; one line per failed call (empty when all succeeded). The calls run runt's argv
// parser and command table in this process (inProcessRunt), as bin/runt runs them:
// 300 node starts cost minutes on a busy machine and most of an hour in the TCG VM.

import fs from 'node:fs'
import path from 'node:path'
import { execute, parse } from '../../src/cli/program'
import { native } from '../../src/sys/native'
import { cgroupDirsNamed, shBundle } from './helpers'

export type RuntCall = (args: string[]) => Promise<{ status: number | null; stderr: string }>

export interface CycleOptions {
  runt: RuntCall
  bundle: string
  prefix: string
  cycles: number
}

/**
 * The command code in this process. A container's init is then a child of this
 * process: once `delete` has seen it exit, it is reaped here (bin/runt's exit would
 * hand it to init instead).
 */
export function inProcessRunt(root: string): RuntCall {
  return async args => {
    const initPid = args[0] === 'delete' ? recordedInitPid(root, args[args.length - 1]) : 0
    let status: number
    let stderr = ''
    try {
      const call = parse(['--root', root, ...args])
      status = call === null ? 0 : await execute(call)
    } catch (err) {
      status = 1
      stderr = (err as Error).message
    }
    if (status === 0 && initPid > 0) {
      try {
        native().waitPid(initPid, false)
      } catch {
        // not our child (created elsewhere) or reaped already
      }
    }
    return { status, stderr }
  }
}

function recordedInitPid(root: string, id: string): number {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, id, 'state.json'), 'utf8')).initPid ?? 0
  } catch {
    return 0
  }
}

export async function runCycles(o: CycleOptions): Promise<string[]> {
  const failures: string[] = []
  for (let n = 0; n < o.cycles; n++) {
    const id = `${o.prefix}${n}`
    for (const step of [['create', '-b', o.bundle, id], ['kill', id, 'KILL'], ['delete', id]]) {
      const r = await o.runt(step)
      if (r.status !== 0) {
        failures.push(`${step[0]} ${id}: exit ${r.status}: ${r.stderr.trim()}`)
        break
      }
    }
  }
  return failures
}

/**
 * The check both suites make: 100 cycles of a container with memory, cpu and pids limits
 * succeed, and leave no cgroup directory named after any of them (in any hierarchy) and
 * no state directory.
 */
export async function checkCyclesLeaveNothing(
  t: { same(a: unknown, b: unknown, msg: string): void; teardown(fn: () => void): void },
  o: { root: string; runt: RuntCall; prefix: string },
): Promise<void> {
  const bundle = shBundle('exec sleep 1000', spec => {
    spec.linux.resources = { ...spec.linux.resources, memory: { limit: 64 * 1024 * 1024 }, cpu: { shares: 512, quota: 50000, period: 100000 }, pids: { limit: 32 } }
  })
  t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
  const failures = await runCycles({ runt: o.runt, bundle, prefix: o.prefix, cycles: 100 })
  t.same(failures, [], 'every create, kill and delete succeeded')
  t.same(cgroupDirsNamed(o.prefix), [], 'no cgroup directory named after a container is left')
  t.same(fs.readdirSync(o.root), [], 'no state directory is left')
}
