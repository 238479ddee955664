// The fast path: bin/runt (native/front/) hands each call to a warm planner
// (src/planner/) and starts the executor itself. What a caller must see: the same output
// and statuses as the direct path, the init as its own child, nothing lost when the
// planner is killed, and a fall back to the direct path whenever the planner cannot or
// must not serve. Each test has a planner of its own (RUNT_PLANNER_DIR), and
// RUNT_PATH_TRACE tells which path each call took.

import t, { type Test } from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import { readProcStat } from '../../src/state/status'
import { native } from '../../src/sys/native'
import { REPO, RUNT, cgroupDirsNamed, makeBundle, sh, skipReason, tempDir, uniqueId, type Result } from './helpers'

const skip = skipReason()
if (skip) t.plan(0, skip)
else {
  interface Fast {
    dir: string
    root: string
    trace: string
    run(args: string[], env?: Record<string, string>, bin?: string): Result
    direct(args: string[]): Result
    /** the trace lines written since the last call of taken() */
    taken(): string[]
    plannerPid(): number | null
  }

  const alive = (pid: number) => { const s = readProcStat(pid); return s !== null && s.state !== 'Z' }
  const sleep = (ms: number) => new Promise(r => setTimeout(r, ms))
  async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
    for (const end = Date.now() + ms; !ok(); await sleep(10)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
  }

  /** A planner directory, a state root and a trace file of this test's own; the planner is ended at the end. */
  function fast(t: Test, extraEnv: Record<string, string> = {}): Fast {
    const dir = path.join(tempDir('runt-planner-'), 'planner')
    const root = tempDir('runt-fast-root-')
    const trace = path.join(path.dirname(dir), 'trace')
    // one planner process, so the tests know which one serves (the pool has its own test)
    const env = (more: Record<string, string> = {}) => ({ ...process.env, RUNT_PLANNER_DIR: dir, RUNT_PATH_TRACE: trace, RUNT_PLANNER_PROCESSES: '1', ...extraEnv, ...more })
    let seen = 0
    const f: Fast = {
      dir, root, trace,
      run: (args, more = {}, bin = RUNT) => sh(bin, ['--root', root, ...args], { env: env({ RUNT_PATH: 'fast', ...more }) }),
      direct: args => sh(RUNT, ['--root', root, ...args], { env: env({ RUNT_PATH: 'direct' }) }),
      taken: () => {
        const lines = fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8').split('\n').filter(Boolean) : []
        const fresh = lines.slice(seen)
        seen = lines.length
        return fresh.map(l => l.replace(/^fast \d+$/, 'fast')) // "fast <planner pid>"
      },
      plannerPid: () => {
        try {
          const pid = Number(fs.readFileSync(path.join(dir, 'planner.pid'), 'utf8'))
          return pid > 0 && alive(pid) ? pid : null
        } catch {
          return null
        }
      },
    }
    t.teardown(() => {
      for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) f.direct(['delete', '--force', id])
      const pid = f.plannerPid()
      if (pid !== null) process.kill(pid, 'SIGKILL')
      fs.rmSync(path.dirname(dir), { recursive: true, force: true })
      fs.rmSync(root, { recursive: true, force: true })
    })
    return f
  }

  const sleeper = () => makeBundle(spec => { spec.process.args = ['sleep', '100000'] })

  t.test('calls go to a planner started on demand, with the output and statuses of the direct path', async t => {
    const f = fast(t)
    const bundle = sleeper()
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const id = uniqueId('fast')
    t.equal(f.run(['create', '--bundle', bundle, id]).status, 0, 'create')
    const planner = f.plannerPid()
    t.ok(planner, 'a planner runs')
    t.match(fs.readFileSync(`/proc/${planner}/cmdline`, 'utf8'), /runt-planner/, 'it is runt-planner')
    t.equal(f.run(['start', id]).status, 0, 'start')
    for (const args of [['state', id], ['list'], ['list', '--format', 'json'], ['ps', '--format', 'json', id], ['state', 'no-such-container'], ['kill', 'no-such-container'], ['features'], ['--version'], ['state']]) {
      const viaPlanner = f.run(args)
      const direct = f.direct(args)
      t.same(
        { status: viaPlanner.status, stdout: viaPlanner.stdout, stderr: viaPlanner.stderr },
        { status: direct.status, stdout: direct.stdout, stderr: direct.stderr },
        `runt ${args.join(' ')}: the same on both paths`,
      )
    }
    t.equal(f.run(['exec', '--detach', id, 'true']).status, 0, 'exec --detach')
    t.equal(f.run(['kill', id, 'KILL']).status, 0, 'kill')
    t.equal(f.run(['delete', '--force', id]).status, 0, 'delete --force')
    const paths = f.taken()
    t.same([...new Set(paths.filter(l => !l.startsWith('direct RUNT_PATH=direct')))], ['fast'], 'every call without RUNT_PATH=direct was served by the planner')
    t.equal(f.plannerPid(), planner, 'one planner served them all')
  })

  t.test('foreground calls take the direct path', async t => {
    const f = fast(t)
    const bundle = makeBundle(spec => { spec.process.args = ['echo', 'hello from run'] })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const r = f.run(['run', '--bundle', bundle, uniqueId('fg')])
    t.equal(r.status, 0, r.stderr)
    t.equal(r.stdout, 'hello from run\n')
    t.match(f.taken().pop(), /^direct run in the foreground$/)
  })

  t.test("the container's init is the caller's child, reparented to the caller's subreaper", async t => {
    const py = spawnSync('python3', ['-c', 'import ctypes'], { stdio: 'ignore' })
    if (py.status !== 0) return t.plan(0, 'python3 is needed to become a subreaper')
    const f = fast(t)
    const bundle = sleeper()
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    t.equal(f.run(['list']).status, 0, 'the planner is up')
    const id = uniqueId('reap')
    const pidFile = path.join(path.dirname(f.dir), 'init.pid')
    const script = [
      'import ctypes, subprocess, os',
      'ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER',
      `rc = subprocess.call([${JSON.stringify(RUNT)}, '--root', ${JSON.stringify(f.root)}, 'create', '--bundle', ${JSON.stringify(bundle)}, '--pid-file', ${JSON.stringify(pidFile)}, ${JSON.stringify(id)}], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)`,
      `pid = int(open(${JSON.stringify(pidFile)}).read())`,
      'ppid = [l.split()[1] for l in open("/proc/%d/status" % pid) if l.startswith("PPid:")][0]',
      'print(rc, os.getpid(), ppid)',
    ].join('\n')
    const r = sh('python3', ['-c', script], { env: { ...process.env, RUNT_PATH: 'fast', RUNT_PLANNER_DIR: f.dir, RUNT_PATH_TRACE: f.trace } })
    const [rc, reaper, parent] = r.stdout.trim().split(' ')
    t.equal(rc, '0', r.stderr)
    t.equal(parent, reaper, 'the init is a child of the subreaper that called runt, not of the planner')
    t.same(f.taken(), ['fast', 'fast'], 'both calls were served by the planner')
  })

  t.test('kill -9 of the planner in the middle of create loses nothing', async t => {
    const f = fast(t)
    const bundle = sleeper()
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    t.equal(f.run(['list']).status, 0, 'the planner is up')
    const planner = f.plannerPid()!
    const id = uniqueId('crash')
    const out = path.join(path.dirname(f.dir), 'create.err')
    const err = fs.openSync(out, 'w')
    const child = spawn(RUNT, ['--root', f.root, 'create', '--bundle', bundle, id], {
      stdio: ['ignore', 'ignore', err],
      env: { ...process.env, RUNT_PATH: 'fast', RUNT_PLANNER_DIR: f.dir, RUNT_PLANNER_PROCESSES: '1', RUNT_TEST_STOP_AT: 'create:cgroups', RUNT_TEST_STOP_PLANNER: '1' },
    })
    fs.closeSync(err)
    const exited = once(child, 'exit')
    await until('the planner to stop at create:cgroups', () => readProcStat(planner)?.state === 'T')
    process.kill(planner, 'SIGKILL')
    const [status] = await exited
    t.equal(status, 1, 'the call fails')
    t.match(fs.readFileSync(out, 'utf8'), /runt: the planner ended before the command finished/, 'and says why')
    t.equal(f.run(['delete', '--force', id]).status, 0, 'delete --force recovers')
    const list = f.run(['list', '-q'])
    t.equal(list.status, 0)
    t.equal(list.stdout, '', 'list shows nothing')
    t.same(fs.readdirSync(f.root), [], 'the state root is empty')
    t.same(cgroupDirsNamed(id), [], 'no cgroup is left')
    t.not(f.plannerPid(), planner, 'a new planner serves the calls after it')
  })

  t.test('a planner that does not answer in time: the call goes direct', async t => {
    const f = fast(t, { RUNT_PLANNER_TIMEOUT_MS: '300' })
    t.equal(f.run(['list']).status, 0, 'the planner is up')
    const planner = f.plannerPid()!
    f.taken()
    process.kill(planner, 'SIGSTOP')
    try {
      const r = f.run(['list', '-q'])
      t.equal(r.status, 0, r.stderr)
      t.same(f.taken(), ['direct no answer within 300 ms'])
    } finally {
      process.kill(planner, 'SIGCONT')
    }
    t.equal(f.run(['list', '-q']).status, 0)
    t.same(f.taken(), ['fast'], 'served again once it answers')
  })

  t.test('two planner processes share the socket: a stuck one does not hold up the calls, and they end together', async t => {
    const f = fast(t, { RUNT_PLANNER_PROCESSES: '2', RUNT_PLANNER_TIMEOUT_MS: '5000' })
    t.equal(f.run(['list']).status, 0, 'the planner is up')
    const primary = f.plannerPid()!
    const planners = () => fs.readdirSync('/proc').filter(p => /^\d+$/.test(p)).filter(p => {
      try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(f.dir) && alive(Number(p)) } catch { return false }
    }).map(Number)
    await until('the second planner process', () => planners().length === 2)
    f.taken()
    process.kill(primary, 'SIGSTOP')
    try {
      const r = f.run(['list', '-q'])
      t.equal(r.status, 0, r.stderr)
      t.same(f.taken(), ['fast'], 'the other process served the call')
    } finally {
      process.kill(primary, 'SIGCONT')
    }
    process.kill(primary, 'SIGKILL')
    await until('the worker to end with the first planner', () => planners().length === 0)
    t.pass('no planner process is left')
  })

  t.test('a caller unlike the planner is sent to the direct path', async t => {
    const f = fast(t)
    t.equal(f.run(['list']).status, 0, 'the planner is up')
    f.taken()
    const env = { ...process.env, RUNT_PATH: 'fast', RUNT_PLANNER_DIR: f.dir, RUNT_PATH_TRACE: f.trace, RUNT_PLANNER_PROCESSES: '1' }
    const fewerCaps = sh('setpriv', ['--bounding-set', '-sys_admin', RUNT, '--root', f.root, 'list', '-q'], { env })
    t.equal(fewerCaps.status, 0, fewerCaps.stderr)
    t.match(f.taken(), [/^direct the caller's Cap[A-Za-z]+ differs/], 'a smaller bounding set')
    const otherMounts = sh('unshare', ['-m', RUNT, '--root', f.root, 'list', '-q'], { env })
    t.equal(otherMounts.status, 0, otherMounts.stderr)
    t.match(f.taken(), [/^direct the caller's ns\/mnt differs/], 'another mount namespace')
  })

  t.test('a caller outside pid 1\'s namespaces starts no planner; a planner unlike its callers gives way', async t => {
    const f = fast(t)
    const env = { ...process.env, RUNT_PATH: 'fast', RUNT_PLANNER_DIR: f.dir, RUNT_PATH_TRACE: f.trace, RUNT_PLANNER_PROCESSES: '1' }
    let pid1Visible = true
    try { fs.readlinkSync('/proc/1/ns/mnt') } catch { pid1Visible = false }
    if (pid1Visible) {
      const inPrivateMounts = sh('unshare', ['-m', RUNT, '--root', f.root, 'list', '-q'], { env })
      t.equal(inPrivateMounts.status, 0, inPrivateMounts.stderr)
      t.same(f.taken(), ["direct no planner for a caller outside pid 1's namespaces"])
      t.equal(f.plannerPid(), null, 'no planner was started from the private mount namespace')
    } else {
      t.comment("pid 1's namespaces are out of sight here (/proc/1/ns): the front-end cannot tell, and starts planners anywhere")
    }

    // a planner started by a caller with fewer capabilities serves its like...
    const fewer = ['--bounding-set', '-sys_admin', RUNT, '--root', f.root, 'list', '-q']
    t.equal(sh('setpriv', fewer, { env }).status, 0)
    const odd = f.plannerPid()!
    t.same(f.taken(), ['fast'], 'its like is served')
    // ...and makes way once the callers keep being unlike it
    for (let i = 0; i < 8; i++) t.equal(f.run(['list', '-q']).status, 0)
    t.match(f.taken(), Array(8).fill(/^direct the caller's Cap/), 'the others are sent to the direct path')
    await until('the odd planner to give way', () => !alive(odd))
    t.equal(f.run(['list', '-q']).status, 0)
    t.same(f.taken(), ['fast'], 'the next caller starts a planner like itself and is served')
    t.not(f.plannerPid(), odd)
  })

  t.test('a socket directory others may write is not trusted', async t => {
    const f = fast(t)
    fs.mkdirSync(f.dir, { recursive: true, mode: 0o700 })
    fs.chmodSync(f.dir, 0o777)
    t.equal(f.run(['list', '-q'], { RUNT_PATH: 'auto' }).status, 0)
    t.match(f.taken(), [/^direct no planner/])
    t.equal(fs.existsSync(path.join(f.dir, 'planner.sock')), false, 'no planner listens there')
  })

  t.test('an idle planner exits and removes its socket', async t => {
    const f = fast(t, { RUNT_PLANNER_IDLE_MS: '300' })
    t.equal(f.run(['list']).status, 0)
    const planner = f.plannerPid()!
    t.ok(planner, 'a planner runs')
    await until('the idle planner to exit', () => !alive(planner))
    t.equal(fs.existsSync(path.join(f.dir, 'planner.sock')), false, 'its socket is gone')
    t.equal(f.run(['list']).status, 0, 'the next call starts a new one')
    t.same(f.taken(), ['fast', 'fast'])
  })

  t.test('another build (an upgrade) makes the planner restart', async t => {
    // a copy of the installed runtime, so its dist/planner.js can change under the planner
    const copy = tempDir('runt-install-')
    t.teardown(() => fs.rmSync(copy, { recursive: true, force: true }))
    for (const part of ['bin', 'dist', 'schemas', path.join('build', 'Release', 'runt-exec'), path.join('build', 'Release', 'runt.node')]) {
      fs.cpSync(path.join(REPO, part), path.join(copy, part), { recursive: true })
    }
    fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(copy, 'node_modules'))
    const f = fast(t)
    const bin = path.join(copy, 'bin', 'runt')
    t.equal(f.run(['list'], {}, bin).status, 0)
    const first = f.plannerPid()!
    t.match(fs.readFileSync(`/proc/${first}/cmdline`, 'utf8'), copy, 'the planner of the copy runs')
    const later = new Date(Date.now() + 60_000)
    fs.utimesSync(path.join(copy, 'dist', 'planner.js'), later, later)
    t.equal(f.run(['list'], {}, bin).status, 0)
    await until('the old planner to exit', () => !alive(first))
    t.not(f.plannerPid(), null, 'a new planner runs')
    t.same(f.taken(), ['fast', 'fast'], 'the call after the upgrade was served by the new planner')
  })

  t.test('socket activation: the planner serves the socket it is handed (LISTEN_FDS=1, fd 3)', async t => {
    const f = fast(t)
    fs.mkdirSync(f.dir, { recursive: true, mode: 0o700 })
    const sock = path.join(f.dir, 'planner.sock')
    const listen = native().seqpacketListen(sock, 16) // what systemd's .socket unit would hold
    t.teardown(() => fs.closeSync(listen))
    // LISTEN_PID must name the planner itself: the shell sets its own pid, then execs it
    const planner = spawn('sh', ['-c', `LISTEN_PID=$$ LISTEN_FDS=1 RUNT_PLANNER_IDLE_MS=1000 exec ${JSON.stringify(path.join(REPO, 'bin', 'runt-planner'))} ${JSON.stringify(f.dir)}`], {
      stdio: ['ignore', 'ignore', 'inherit', listen],
    })
    const exited = once(planner, 'exit')
    // the planner may take a while to boot on a busy machine; the call waits in the socket's queue
    const r = f.run(['list', '-q'], { RUNT_PATH: 'auto', RUNT_PLANNER_TIMEOUT_MS: '30000' })
    t.equal(r.status, 0, r.stderr)
    t.same(f.taken(), ['fast'], 'the first call was served: nothing had to be started')
    t.equal(f.plannerPid(), planner.pid, 'by the activated planner')
    const [code] = await exited
    t.equal(code, 0, 'it exits when idle')
    t.ok(fs.existsSync(sock), "and leaves the socket, which is systemd's")
  })
}
