// Hostile-config fuzzing of `runt create` (issue 7): thousands of mutants of valid
// config.json files (test/fuzz/mutator.ts over the corpus in test/fixtures). Each must
// end in one clear line and exit status 1, or a container that works and is deleted:
// never a crash, a hang, or a process, mount, cgroup or state directory left behind.
//
// Phase 1 runs every mutant in this process through what create does before it touches
// the host (checkCreateRequest, then the launch plan): a refusal must be a RuntError
// with a one-line message. Phase 2 runs the mutants phase 1 accepted as real
// `bin/runt create` subprocesses (a few at a time, each with a timeout), then deletes
// whatever was created, then looks for leftovers.
//
// Reproduce one mutant: RUNT_FUZZ_SEED=<seed> RUNT_FUZZ_COUNT=1 npx tap test/integration/fuzz.test.ts
// (RUNT_FUZZ_KEEP=1 keeps the bundles in the temp dir).

import t from 'tap'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { mutate, type Mutant } from '../fuzz/mutator'
import { REPO, ROOTFS, RUNT, skipReason } from './helpers'
import { RuntError } from '../../src/errors'
import { checkCreateRequest, type CreateOptions } from '../../src/runtime/create-container'
import { buildPlan } from '../../src/plan/build'
import { hostFacts } from '../../src/plan/host-facts'
import { encodePlan } from '../../src/plan/wire'
import type { GlobalOptions } from '../../src/cli/context'

const FIRST_SEED = Number(process.env.RUNT_FUZZ_SEED ?? 7000)
const COUNT = Number(process.env.RUNT_FUZZ_COUNT ?? 2000)
const PER_RUN_TIMEOUT_MS = 30_000
const PARALLEL = 4

/** The corpus: the busybox configs runt's tests use, and the spec's good Linux examples. */
const CORPUS_FILES = [
  'test/fixtures/fuzz-corpus/busybox-default.json',
  'test/fixtures/fuzz-corpus/busybox-full.json',
  'test/fixtures/oci-schema/config/good/minimal.json',
  'test/fixtures/oci-schema/config/good/minimal-for-start.json',
  'test/fixtures/oci-schema/config/good/spec-example.json',
  'test/fixtures/oci-schema/config/good/linux-rdma.json',
]

/** What an error line must never look like: a JavaScript failure, not a runt message. */
const CRASH_SIGNS = [/TypeError/, /RangeError/, /ReferenceError/, /SyntaxError: /, /\bat Object\./, /\bat [\w.<>]+ \(.*:\d+:\d+\)/, /Cannot read propert/, /is not a function/, /is not iterable/, /Maximum call stack/, /internal error/, /undefined/]
/** A clear line stays readable: it names the problem, not the whole hostile value. */
const MAX_LINE = 16_384

const reason = skipReason()
if (reason) t.plan(0, reason)
else {
  // a minute or two on a quiet machine; a shared, loaded one needs longer than tap's 300 s
  t.setTimeout(900_000)
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-fuzz-'))
  const rootfs = path.join(work, 'rootfs') // a copy: mutants may create mount points in it
  fs.cpSync(ROOTFS, rootfs, { recursive: true, verbatimSymlinks: true })
  const stateRoot = path.join(work, 'state')
  const tag = `fz${process.pid}`
  const globals: GlobalOptions = { root: stateRoot, rootGiven: true, logFormat: 'json', debug: false, systemdCgroup: false, rootless: 'false' }
  const createOpts = (bundle: string): CreateOptions => ({ bundle, noPivot: false, noNewKeyring: false, preserveFds: 0, waitForStart: true, detached: true })

  const corpus = CORPUS_FILES.map(file => {
    const config = JSON.parse(fs.readFileSync(path.join(REPO, file), 'utf8')) as { root?: { path?: string } }
    if (config.root) config.root.path = rootfs
    else config.root = { path: rootfs }
    return { name: path.basename(file, '.json'), config }
  })

  const failures: string[] = []
  const fail = (m: Mutant, what: string) => {
    failures.push(`seed ${m.seed} (${m.base}: ${m.mutations.join('; ')}): ${what}`)
  }
  const checkLine = (m: Mutant, line: string) => {
    if (line.trim() === '') fail(m, 'refused with an empty message')
    else if (line.includes('\n')) fail(m, `message of several lines: ${JSON.stringify(line.slice(0, 300))}`)
    else if (line.length > MAX_LINE) fail(m, `message of ${line.length} chars: ${JSON.stringify(line.slice(0, 200))}…`)
    else for (const sign of CRASH_SIGNS) if (sign.test(line)) { fail(m, `crash-like message ${JSON.stringify(line.slice(0, 500))}`); break }
  }

  const bundleOf = (m: Mutant): string => {
    const dir = path.join(work, `b${m.seed}`)
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, 'config.json'), m.text)
    return dir
  }

  t.teardown(() => {
    if (process.env.RUNT_FUZZ_KEEP !== '1') fs.rmSync(work, { recursive: true, force: true })
    else t.comment(`kept ${work}`)
  })

  const before = leftovers(work, tag)
  const accepted: Mutant[] = []
  // accepted mutants that differ only in what runt merely records (annotations), or
  // not at all (a byte order mark, a duplicated key the parser overrides), run once
  const seen = new Set<string>()

  t.test(`phase 1: ${COUNT} mutants through create's checks and the plan, in process`, async t => {
    const stats = { refused: 0, accepted: 0 }
    for (let i = 0; i < COUNT; i++) {
      const seed = FIRST_SEED + i
      const base = corpus[seed % corpus.length]
      const m = mutate(seed, base.name, base.config)
      const bundle = bundleOf(m)
      try {
        const { spec } = checkCreateRequest(globals, `${tag}-${seed}`, createOpts(bundle))
        encodePlan(buildPlan(spec, { bundle, noPivot: false, noNewKeyring: false, preserveFds: 0 }, hostFacts({ kind: 'unified' })))
        stats.accepted++
        const key = JSON.stringify({ ...spec, annotations: undefined })
        if (seen.has(key)) fs.rmSync(bundle, { recursive: true, force: true })
        else {
          seen.add(key)
          accepted.push(m)
        }
      } catch (err) {
        stats.refused++
        if (!(err instanceof RuntError)) fail(m, `crashed: ${String((err as Error)?.stack ?? err).split('\n').slice(0, 4).join(' | ')}`)
        else checkLine(m, err.message.replace(/\s*\n\s*/g, '; '))
        fs.rmSync(bundle, { recursive: true, force: true })
      }
    }
    t.comment(`refused ${stats.refused}, accepted ${stats.accepted} (${accepted.length} distinct)`)
    t.same(failures, [], 'every refusal is a RuntError with one clear line')
  })

  t.test('phase 2: the accepted mutants as real `runt create` subprocesses', async t => {
    const before2 = failures.length
    let created = 0
    let refused = 0
    const runOne = async (m: Mutant) => {
      const id = `${tag}-${m.seed}`
      const bundle = path.join(work, `b${m.seed}`)
      const r = await runt(['--root', stateRoot, 'create', '--bundle', bundle, id], PER_RUN_TIMEOUT_MS)
      if (r.timedOut) fail(m, `create hung (killed after ${PER_RUN_TIMEOUT_MS} ms)`)
      else if (r.status === 0) {
        created++
        if (r.stderr !== '') checkLine(m, r.stderr.trimEnd())
      } else if (r.status === 1) {
        refused++
        const lines = r.stderr.trimEnd().split('\n')
        if (lines.length !== 1) fail(m, `create failed with ${lines.length} lines: ${JSON.stringify(r.stderr.slice(0, 500))}`)
        checkLine(m, lines[0])
      } else fail(m, `create ended with status ${r.status} signal ${r.signal}: ${JSON.stringify(r.stderr.slice(0, 300))}`)
      if (r.status === 0) {
        const d = await runt(['--root', stateRoot, 'delete', '--force', id], PER_RUN_TIMEOUT_MS)
        if (d.timedOut) fail(m, 'delete --force hung')
        else if (d.status !== 0) fail(m, `delete --force failed: ${d.stderr.trim()}`)
      } else if (fs.existsSync(path.join(stateRoot, id))) {
        fail(m, 'a failed create left its state directory')
        await runt(['--root', stateRoot, 'delete', '--force', id], PER_RUN_TIMEOUT_MS)
      }
      if (process.env.RUNT_FUZZ_KEEP !== '1') fs.rmSync(bundle, { recursive: true, force: true })
    }
    // mutants naming a cgroup of their own (spec-example's) would share it: one at a time
    const shared = (m: Mutant) => m.text.includes('cgroupsPath')
    const lane = async (queue: Mutant[], width: number) => {
      await Promise.all(Array.from({ length: width }, async () => {
        for (let m = queue.shift(); m; m = queue.shift()) await runOne(m)
      }))
    }
    await lane(accepted.filter(m => !shared(m)), PARALLEL)
    await lane(accepted.filter(shared), 1)
    t.comment(`ran ${accepted.length}: created ${created}, refused ${refused}`)
    t.same(failures.slice(before2), [], 'each run ends in a working container or one clear line')
  })

  t.test('nothing is left behind', async t => {
    const after = leftovers(work, tag)
    t.same(after.processes.filter(p => !before.processes.includes(p)), [], 'no process of a fuzzed container is left')
    t.same(after.mounts.filter(m => !before.mounts.includes(m)), [], 'no mount under the fuzz directory is left')
    t.same(after.cgroups.filter(c => !before.cgroups.includes(c)), [], 'no cgroup of a fuzzed container is left')
    t.same(fs.existsSync(stateRoot) ? fs.readdirSync(stateRoot) : [], [], 'no state directory is left')
  })
}

interface RunResult { status: number | null; signal: NodeJS.Signals | null; stderr: string; timedOut: boolean }

/**
 * bin/runt as a subprocess with a deadline: SIGKILL by pid when it is exceeded. stderr
 * goes to a file, not a pipe: a created container inherits it and keeps it open.
 */
function runt(args: string[], timeoutMs: number): Promise<RunResult> {
  const errFile = path.join(os.tmpdir(), `runt-fuzz-err-${process.pid}-${args[args.length - 1]}-${args[3]}`)
  const errFd = fs.openSync(errFile, 'w+')
  return new Promise(resolve => {
    const child = spawn(RUNT, args, { stdio: ['ignore', 'ignore', errFd] })
    let timedOut = false
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, timeoutMs)
    child.on('exit', (status, signal) => {
      clearTimeout(timer)
      const stderr = fs.readFileSync(errFile, 'utf8').slice(0, 100_000)
      fs.closeSync(errFd)
      fs.rmSync(errFile, { force: true })
      resolve({ status, signal, stderr, timedOut })
    })
  })
}

/** What a fuzzed container could leave on the host, named so other tests' things do not count. */
function leftovers(work: string, tag: string): { processes: string[]; mounts: string[]; cgroups: string[] } {
  const processes: string[] = []
  for (const pid of fs.readdirSync('/proc').filter(p => /^\d+$/.test(p))) {
    try {
      const root = fs.readlinkSync(`/proc/${pid}/root`)
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (Number(pid) !== process.pid && (root.startsWith(work) || cmdline.includes(work))) processes.push(`${pid} ${cmdline.replace(/\0/g, ' ')}`)
    } catch { /* gone, or a kernel thread */ }
  }
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(l => l.includes(work) || l.includes('runtfuzz')).map(l => l.replace(/^\d+ \d+ /, ''))
  const cgroups: string[] = []
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[]
    try { entries = fs.readdirSync(dir, { withFileTypes: true }) } catch { return }
    for (const e of entries) {
      if (!e.isDirectory()) continue
      const full = path.join(dir, e.name)
      if (e.name.includes(tag) || e.name.includes('runtfuzz') || /[^\x20-\x7e]/.test(e.name)) cgroups.push(full)
      if (depth < 8) walk(full, depth + 1)
    }
  }
  walk('/sys/fs/cgroup', 0)
  return { processes, mounts, cgroups }
}
