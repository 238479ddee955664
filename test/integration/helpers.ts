// Shared set-up for the integration tests: they run real containers as root through
// the built bin/runt, on the busybox rootfs that scripts/setup.sh builds.

import { spawnSync, type SpawnSyncOptions } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export const REPO = path.resolve(__dirname, '..', '..')
export const RUNT = path.join(REPO, 'bin', 'runt')
export const ROOTFS = path.join(REPO, 'bundles', 'busybox', 'bundle', 'rootfs')

/** Why these tests cannot run here, or null when they can. */
export function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'integration tests need root'
  if (!fs.existsSync(RUNT)) return 'bin/runt is not built (run scripts/setup.sh)'
  if (!fs.existsSync(path.join(ROOTFS, 'bin', 'busybox'))) return 'the busybox bundle is not built (run scripts/setup.sh)'
  return null
}

/**
 * How much slower than usual this host is (RUNT_TEST_SLOW, default 1): the limits on
 * calls and waits are multiplied by it. test/v2/run.sh sets it for its VM, where under
 * TCG on a busy host a runt call can take minutes of the guest's (jumpy) clock.
 */
export const SLOW = Math.max(1, Number(process.env.RUNT_TEST_SLOW) || 1)

export interface Result {
  status: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

/**
 * Run a command to completion. Its stdout and stderr go to files, not pipes: a detached
 * container inherits them (as under containerd), and a pipe would only reach EOF when
 * the container ends.
 */
export function sh(cmd: string, args: string[], opts: SpawnSyncOptions = {}, extraFds: number[] = []): Result {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-out-'))
  const out = fs.openSync(path.join(dir, 'out'), 'w+')
  const err = fs.openSync(path.join(dir, 'err'), 'w+')
  try {
    const r = spawnSync(cmd, args, { timeout: 60_000 * SLOW, ...opts, stdio: ['ignore', out, err, ...extraFds] })
    const read = (fd: number) => {
      const size = fs.fstatSync(fd).size
      const buf = Buffer.alloc(size)
      fs.readSync(fd, buf, 0, size, 0)
      return buf.toString('utf8')
    }
    return { status: r.status, signal: r.signal, stdout: read(out), stderr: read(err) }
  } finally {
    fs.closeSync(out)
    fs.closeSync(err)
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** A state root of its own for one test file, removed at the end. */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

/** Run bin/runt with this root; stdin is /dev/null unless given. */
export function runtIn(root: string) {
  return (args: string[], opts: SpawnSyncOptions = {}, extraFds: number[] = []): Result => sh(RUNT, ['--root', root, ...args], opts, extraFds)
}

/** The config `runt spec` writes, made non-interactive, with root.path on the shared rootfs. */
export function baseConfig(): any {
  const dir = tempDir('runt-spec-')
  try {
    const r = sh(RUNT, ['spec', '--bundle', dir])
    if (r.status !== 0) throw new Error(`runt spec failed: ${r.stderr}`)
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'))
    spec.root = { path: ROOTFS, readonly: true }
    spec.process.terminal = false
    return spec
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** A bundle directory with config.json made from the base config, changed by edit. */
export function makeBundle(edit: (spec: any) => void = () => {}): string {
  const dir = tempDir('runt-bundle-')
  const spec = baseConfig()
  edit(spec)
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec, null, 2))
  return dir
}

/** A bundle that runs this shell command. */
export function shBundle(script: string, edit: (spec: any) => void = () => {}): string {
  return makeBundle(spec => {
    spec.process.args = ['sh', '-c', script]
    edit(spec)
  })
}

let counter = 0
export function uniqueId(prefix = 't'): string {
  return `${prefix}-${process.pid}-${++counter}`
}

/** Mount points of the host (our mount namespace), to check nothing leaked. */
export function hostMountCount(): number {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).length
}

/** Every cgroup directory (any hierarchy) whose name contains `needle`. */
export function cgroupDirsNamed(needle: string): string[] {
  const found: string[] = []
  const walk = (dir: string, depth: number) => {
    if (depth > 6) return
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue
      const p = path.join(dir, e.name)
      if (e.name.includes(needle)) found.push(p)
      walk(p, depth + 1)
    }
  }
  walk('/sys/fs/cgroup', 0)
  return found
}

/** Host pids whose command line mentions needle (our own containers' processes). */
export function processesMentioning(needle: string): number[] {
  const out: number[] = []
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p) || Number(p) === process.pid) continue
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replace(/\0/g, ' ')
      if (cmd.includes(needle)) out.push(Number(p))
    } catch { /* gone */ }
  }
  return out
}

export type Runt = ReturnType<typeof runtIn>

/**
 * Start a test file that runs containers: null (and the file skipped) when it cannot
 * run here; otherwise a state root of its own, emptied and removed at the end.
 */
export function containerSuite(t: { plan(n: number, why?: string): void; teardown(fn: () => void): void }): { root: string; runt: Runt } | null {
  const skip = skipReason()
  if (skip) {
    t.plan(0, skip)
    return null
  }
  const root = tempDir('runt-root-')
  const runt = runtIn(root)
  t.teardown(() => {
    for (const id of runt(['list', '-q']).stdout.split('\n').filter(Boolean)) runt(['delete', '--force', id])
    fs.rmSync(root, { recursive: true, force: true })
  })
  return { root, runt }
}
