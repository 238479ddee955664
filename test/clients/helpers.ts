// Shared set-up for the client tests: containerd and podman drive an OCI runtime through
// a recording wrapper. RUNT_CLIENT_RUNTIME=runc|runt (default runt) picks the runtime
// behind the wrapper, so the same suite first proves itself with runc.

import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { REPO, RUNT, ROOTFS, cgroupDirsNamed, processesMentioning, sh, tempDir, type Result } from '../integration/helpers'

export { ROOTFS, processesMentioning, tempDir, type Result }

export type RuntimeName = 'runt' | 'runc'

/** The runtime behind the wrapper, from RUNT_CLIENT_RUNTIME. */
export function clientRuntime(): RuntimeName {
  const name = process.env.RUNT_CLIENT_RUNTIME ?? 'runt'
  if (name !== 'runt' && name !== 'runc') throw new Error(`RUNT_CLIENT_RUNTIME must be runt or runc, not ${JSON.stringify(name)}`)
  return name
}

function onPath(tool: string): string | null {
  const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' })
  return r.status === 0 ? r.stdout.trim() : null
}

function realRuntimePath(name: RuntimeName): string | null {
  if (name === 'runt') return fs.existsSync(RUNT) ? RUNT : null
  return onPath('runc')
}

/** Why this client test file cannot run here, or null when it can. */
export function clientSkipReason(tools: string[]): string | null {
  if (process.getuid?.() !== 0) return 'client tests need root'
  const runtime = clientRuntime()
  if (!realRuntimePath(runtime)) return `${runtime} is not available (run scripts/setup.sh)`
  if (!fs.existsSync(path.join(ROOTFS, 'bin', 'busybox'))) return 'the busybox bundle is not built (run scripts/setup.sh)'
  const missing = tools.filter(tool => !onPath(tool))
  if (missing.length > 0) return `${missing.join(', ')} not installed (run scripts/install-clients.sh)`
  return null
}

/** Every client call has a deadline: a runtime that hangs must fail the test, not stall it. */
export const CALL_TIMEOUT_MS = 30_000

/** Run a client command to completion (stdout/stderr via files, stdin /dev/null), killed at the deadline. */
export function call(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Result {
  const r = sh(cmd, args, { timeout: CALL_TIMEOUT_MS, killSignal: 'SIGKILL', ...opts })
  if (r.signal === 'SIGKILL') r.stderr += `\n[test harness: ${cmd} killed after ${CALL_TIMEOUT_MS} ms]`
  return r
}

/** Poll a condition a bounded number of times (no timed assertion: the count bounds the wait). */
export async function eventually(check: () => boolean, tries = 100, pauseMs = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (check()) return true
    await new Promise(resolve => setTimeout(resolve, pauseMs))
  }
  return check()
}

export interface Invocation {
  argv: string[]
  /** null when the runtime never returned (killed, or still running) */
  exit: number | null
}

/**
 * A launcher script for the real runtime that records every call. Its basename is the
 * runtime's name (podman decides by basename whether the runtime writes JSON errors).
 */
export class RecordedRuntime {
  readonly launcher: string
  readonly log: string
  readonly real: string
  private readonly abbreviations: [string, string][] = []

  /** real: the program to run (default: the runtime `name` names). */
  constructor(readonly dir: string, readonly name: RuntimeName = clientRuntime(), real = realRuntimePath(name)) {
    if (!real) throw new Error(`${name} is not available`)
    this.real = real
    fs.mkdirSync(path.join(dir, 'bin'), { recursive: true })
    this.launcher = path.join(dir, 'bin', 'runt')
    this.log = path.join(dir, 'runtime-argv.log')
    fs.writeFileSync(this.log, '')
    const wrapper = path.join(REPO, 'test', 'clients', 'runtime-wrapper.sh')
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
    fs.writeFileSync(this.launcher, [
      '#!/bin/sh',
      `RUNT_WRAPPER_REAL=${quote(real)} RUNT_WRAPPER_LOG=${quote(this.log)} exec ${quote(wrapper)} "$@"`,
      '',
    ].join('\n'), { mode: 0o755 })
  }

  /** Show `long` as `short` in the summary (longest first, before the temp dir itself). */
  abbreviate(long: string, short: string): void {
    this.abbreviations.push([long, short])
  }

  invocations(): Invocation[] {
    const byPid = new Map<string, Invocation>()
    const all: Invocation[] = []
    const unescape = (s: string) => s.replace(/\\(.)/g, (_, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c))
    for (const line of fs.readFileSync(this.log, 'utf8').split('\n').filter(Boolean)) {
      const [pid, kind, ...rest] = line.split('\t')
      if (kind === 'argv') {
        const inv: Invocation = { argv: rest.map(unescape), exit: null }
        byPid.set(pid, inv)
        all.push(inv)
      } else if (kind === 'exit') {
        const inv = byPid.get(pid)
        if (inv) inv.exit = Number(rest[0])
        byPid.delete(pid)
      }
    }
    return all
  }

  /** The calls whose subcommand (first word after the global flags) is `command`. */
  callsOf(command: string): Invocation[] {
    return this.invocations().filter(inv => subcommand(inv.argv) === command)
  }

  /** One line per call: exit status and argv, with temp paths and long ids shortened. */
  summary(): string {
    return this.invocations().map(inv => {
      const status = inv.exit === null ? 'no exit' : `exit ${inv.exit}`
      const args = inv.argv.map(a => this.abbreviations.reduce((text, [long, short]) => text.split(long).join(short), a))
      return `${status.padEnd(7)} ${this.name} ${args.map(a => shorten(a, this.dir)).join(' ')}`
    }).join('\n')
  }
}

/** Global flags that take a value, as clients pass them before the subcommand. */
const VALUE_FLAGS = new Set(['--root', '--log', '--log-format', '--criu', '--rootless'])

export function subcommand(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('-')) return a
    if (VALUE_FLAGS.has(a)) i++
  }
  return undefined
}

/** An argument as the summary shows it: shortened, and quoted when it would not read as one word. */
function shorten(arg: string, tmp: string): string {
  const short = arg.split(tmp).join('<tmp>').replace(/\b[0-9a-f]{64}\b/g, id => id.slice(0, 12))
  return /^[^\s"'\\]+$/.test(short) ? short : JSON.stringify(short)
}

/** Keep a copy of the recorded calls where the lead can read them after the run. */
export function saveSummary(rt: RecordedRuntime, client: string): string {
  const file = path.join(os.tmpdir(), `runt-client-calls-${client}-${rt.name}.log`)
  fs.writeFileSync(file, rt.summary() + '\n')
  return file
}

/** Mount points below dir in our mount namespace, deepest first. */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : dir + '/'
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean)
    .map(line => line.split(' ')[4].replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8))))
    .filter(mp => mp.startsWith(prefix))
    .sort((a, b) => b.length - a.length)
}

/** Unmount what the clients mounted below their own temp dir (nothing else), then remove it. */
export function removeTempDir(dir: string): void {
  for (const mp of mountsUnder(dir)) spawnSync('umount', ['-l', mp])
  if (mountsUnder(dir).length === 0) fs.rmSync(dir, { recursive: true, force: true })
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * Remove the (now empty) cgroup directories named `name` that the runtime made below our
 * own cgroups for a relative cgroupsPath, in every hierarchy. Only names this run chose.
 */
export function removeCgroupParents(name: string): void {
  for (const dir of cgroupDirsNamed(name)) if (path.basename(dir) === name) removeEmptyTree(dir)
}

function removeEmptyTree(dir: string): void {
  if (!fs.existsSync(dir)) return
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeEmptyTree(path.join(dir, e.name))
  try {
    fs.rmdirSync(dir)
  } catch { /* still in use: leave it, the test that made it reports the leak */ }
}

/**
 * A mount namespace of the test's own (private propagation), held open by a sleeping
 * process. The clients run inside it, so the mounts they make (rootfs snapshots, shm)
 * never show in the host's mount table, where other test files count mounts in parallel,
 * and all vanish with it.
 */
export class MountNamespace {
  private holder: ChildProcess | null = null

  async open(): Promise<void> {
    const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '100000'], { stdio: 'ignore' })
    this.holder = holder
    const own = fs.readlinkSync('/proc/self/ns/mnt')
    const entered = await eventually(() => {
      try {
        return holder.exitCode === null && fs.readlinkSync(`/proc/${holder.pid}/ns/mnt`) !== own
      } catch {
        return false
      }
    }, 50, 20)
    if (!entered) throw new Error('unshare --mount did not give the test a mount namespace of its own')
  }

  /** The argv that runs cmd inside the namespace. */
  wrap(cmd: string, args: string[]): [string, string[]] {
    if (!this.holder?.pid) throw new Error('the mount namespace is not open')
    return ['nsenter', ['--target', String(this.holder.pid), '--mount', '--', cmd, ...args]]
  }

  /** Let go of the namespace (it ends when its last process, the client's too, has exited). */
  close(): void {
    this.holder?.kill('SIGKILL')
    this.holder = null
  }
}
