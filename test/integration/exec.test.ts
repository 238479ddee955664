// runt exec through bin/runt: a new process in a created or running container, as
// containerd (--process --detach --pid-file), CRI-O (foreground --process) and a
// person (flags and a command) start one.
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { RUNT, containerSuite, shBundle, uniqueId, tempDir, sh } from './helpers'
import { buildExecPlan, processFromFlags } from '../../src/plan/exec-plan'
import { launch } from '../../src/launcher/launch'
import { native } from '../../src/sys/native'

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite
  const stateOf = (id: string) => JSON.parse(runt(['state', id]).stdout)
  const status = (id: string) => (runt(['state', id]).status === 0 ? stateOf(id).status : 'gone')
  const settle = () => new Promise(r => setTimeout(r, 20))
  const alive = (pid: number) => {
    try {
      return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
    } catch {
      return false
    }
  }
  const statusField = (pid: number, field: string) => /* e.g. CapEff, PPid */
    new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]

  /** A running container whose init sleeps; removed at the end of the test. */
  function running(t: { teardown(fn: () => void): void }, edit: (spec: any) => void = () => {}): { id: string; pid: number; bundle: string } {
    const bundle = shBundle('exec sleep 100000', edit)
    const id = uniqueId('exec')
    t.teardown(() => {
      runt(['delete', '--force', id])
      fs.rmSync(bundle, { recursive: true, force: true })
    })
    const r = runt(['run', '-d', '-b', bundle, id])
    if (r.status !== 0) throw new Error(`run -d failed: ${r.stderr}`)
    return { id, pid: stateOf(id).pid, bundle }
  }

  /** exec -d with a pid file: the pid of the process, which sleeps until the container goes. */
  function detachedSleeper(id: string, extra: string[] = [], extraFds: number[] = []): number {
    const dir = tempDir('runt-execpid-')
    try {
      const pidFile = path.join(dir, 'exec.pid')
      const r = runt(['exec', '-d', '--pid-file', pidFile, ...extra, id, 'sleep', '100001'], {}, extraFds)
      if (r.status !== 0) throw new Error(`exec -d failed: ${r.stderr}`)
      return Number(fs.readFileSync(pidFile, 'utf8'))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }

  t.test('stdout and the exit status of the process', async t => {
    const { id } = running(t)
    const r = runt(['exec', id, 'sh', '-c', 'echo from exec; echo to stderr >&2; exit 7'])
    t.equal(r.stdout, 'from exec\n')
    t.equal(r.stderr, 'to stderr\n')
    t.equal(r.status, 7)
    t.equal(runt(['exec', id, 'true']).status, 0)
    t.equal(status(id), 'running', 'the container goes on')
  })

  t.test('env, cwd, user and group flags', async t => {
    const { id } = running(t)
    const r = runt(['exec', '-e', 'FOO=bar', '-e', 'TERM=dumb', '--cwd', '/dev', '-u', '1000:1001', '-g', '5', '-g', '6', id,
      'sh', '-c', 'echo $FOO $TERM $PATH; pwd; grep -E "^(Uid|Gid|Groups):" /proc/self/status'])
    t.equal(r.status, 0, r.stderr)
    const lines = r.stdout.split('\n')
    t.equal(lines[0], 'bar dumb /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'config env kept, -e added, TERM replaced')
    t.equal(lines[1], '/dev')
    t.match(lines[2], /^Uid:\s+1000\s+1000\s+1000\s+1000$/)
    t.match(lines[3], /^Gid:\s+1001\s+1001\s+1001\s+1001$/)
    t.match(lines[4], /^Groups:\s+5 6\s*$/)
    const bad = runt(['exec', '-u', 'nobody', id, 'true'])
    t.equal(bad.status, 255)
    t.match(bad.stderr, 'exec failed: parsing nobody as int for uid failed')
  })

  t.test('-p process.json is the whole process; a bad one is refused by pointer', async t => {
    const { id } = running(t)
    const dir = tempDir('runt-process-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'process.json')
    fs.writeFileSync(file, JSON.stringify({
      args: ['sh', '-c', 'echo $ONLY; pwd; grep ^Uid: /proc/self/status'], env: ['ONLY=this'], cwd: '/proc', user: { uid: 33, gid: 33 },
    }))
    const r = runt(['exec', '-p', file, id])
    t.equal(r.status, 0, r.stderr)
    t.match(r.stdout, /^this\n\/proc\nUid:\s+33\s/)
    fs.writeFileSync(file, JSON.stringify({ args: ['true'], cwd: 'relative' }))
    const bad = runt(['exec', '--process', file, id])
    t.equal(bad.status, 255)
    t.match(bad.stderr, /exec failed: \/cwd: .*absolute/)
    const missing = runt(['exec', '-p', path.join(dir, 'none.json'), id])
    t.equal(missing.status, 255)
    t.match(missing.stderr, 'none.json')
  })

  t.test('execCPUAffinity: the final affinity is what the process runs with', async t => {
    const { id } = running(t)
    const dir = tempDir('runt-affinity-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'process.json')
    const cpus = os.cpus().length
    const last = String(cpus - 1)
    const withAffinity = (execCPUAffinity: object) => {
      fs.writeFileSync(file, JSON.stringify({ args: ['grep', 'Cpus_allowed_list', '/proc/self/status'], cwd: '/', execCPUAffinity }))
      return runt(['exec', '-p', file, id])
    }
    const r = withAffinity({ initial: '0', final: last })
    t.equal(r.status, 0, r.stderr)
    t.equal(r.stdout, `Cpus_allowed_list:\t${last}\n`)
    const bad = withAffinity({ final: '3-1' })
    t.equal(bad.status, 255)
    t.match(bad.stderr, 'exec failed: /process/execCPUAffinity/final: "3-1" is not a CPU list')
  })

  t.test("the process joins the container's namespaces and cgroup, with its capabilities", async t => {
    const { id, pid: init } = running(t)
    const pid = detachedSleeper(id)
    for (const ns of ['pid', 'mnt', 'net', 'uts', 'ipc', 'cgroup']) {
      t.equal(fs.readlinkSync(`/proc/${pid}/ns/${ns}`), fs.readlinkSync(`/proc/${init}/ns/${ns}`), `${ns} namespace`)
      t.not(fs.readlinkSync(`/proc/${pid}/ns/${ns}`), fs.readlinkSync(`/proc/self/ns/${ns}`), `${ns} is not the host's`)
    }
    t.equal(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), fs.readFileSync(`/proc/${init}/cgroup`, 'utf8'), 'same cgroups as the init')
    t.match(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'), id)
    for (const set of ['CapBnd', 'CapEff', 'CapPrm', 'CapInh', 'CapAmb']) t.equal(statusField(pid, set), statusField(init, set), set)
    t.equal(statusField(pid, 'NoNewPrivs'), statusField(init, 'NoNewPrivs'))
    const root = fs.readlinkSync(`/proc/${pid}/root`)
    t.equal(root, fs.readlinkSync(`/proc/${init}/root`), 'the same root directory')

    const withCap = detachedSleeper(id, ['--cap', 'CAP_SYS_ADMIN', '--no-new-privs'])
    const eff = BigInt(`0x${statusField(withCap, 'CapEff')}`)
    t.equal((eff >> 21n) & 1n, 1n, '--cap CAP_SYS_ADMIN is effective')
    t.equal(BigInt(`0x${statusField(init, 'CapEff')}`) & (1n << 21n), 0n, 'which the init does not have')
    t.equal(statusField(withCap, 'NoNewPrivs'), '1')
  })

  t.test('--cgroup puts the process in a sub-cgroup of the container', async t => {
    const { id, pid: init } = running(t)
    const memoryLine = (pid: number) => fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find(l => /:memory:/.test(l))!
    const group = memoryLine(init).split(':')[2]
    const sub = path.join('/sys/fs/cgroup/memory', group, 'sub')
    fs.mkdirSync(sub)
    t.teardown(() => { try { fs.rmdirSync(sub) } catch { /* removed with the container */ } })
    const pid = detachedSleeper(id, ['--cgroup', 'memory:sub'])
    t.equal(memoryLine(pid), memoryLine(init) + '/sub')
    const missing = runt(['exec', '--cgroup', 'memory:nosuch', id, 'true'])
    t.equal(missing.status, 255)
    t.match(missing.stderr, 'nosuch')
  })

  t.test('--detach returns at once with the pid file written; the process outlives runt', async t => {
    const { id } = running(t)
    const dir = tempDir('runt-detach-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const pidFile = path.join(dir, 'exec.pid')
    fs.writeFileSync(pidFile, '') // CRI-O and conmon create it empty first
    const r = runt(['exec', '--detach', '--pid-file', pidFile, id, 'sleep', '100002'])
    t.equal(r.status, 0, r.stderr)
    t.equal(r.stdout, '')
    const text = fs.readFileSync(pidFile, 'utf8')
    t.match(text, /^\d+$/, 'digits, no newline')
    t.ok(alive(Number(text)), 'the process runs after runt returned')
    t.match(fs.readFileSync(`/proc/${text}/cmdline`, 'utf8'), 'sleep\u0000100002')
    const pids: number[] = JSON.parse(runt(['ps', '--format', 'json', id]).stdout)
    t.ok(pids.includes(Number(text)), 'ps lists it as a process of the container')
  })

  t.test("--detach: the process is reparented to the caller's subreaper, not kept by a runt process", async t => {
    const py = spawnSync('python3', ['-c', 'import ctypes'], { stdio: 'ignore' })
    if (py.status !== 0) return t.plan(0, 'python3 is needed to become a subreaper')
    const { id } = running(t)
    const dir = tempDir('runt-reaper-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const pidFile = path.join(dir, 'exec.pid')
    // a subreaper (as containerd's shim and conmon are) runs runt exec -d, then reports its pid and the process's parent
    const script = [
      'import ctypes, subprocess, sys, os',
      'ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER',
      `rc = subprocess.call([${JSON.stringify(RUNT)}, '--root', ${JSON.stringify(root)}, 'exec', '-d', '--pid-file', ${JSON.stringify(pidFile)}, ${JSON.stringify(id)}, 'sleep', '100003'], stdout=subprocess.DEVNULL)`,
      `pid = int(open(${JSON.stringify(pidFile)}).read())`,
      'ppid = [l.split()[1] for l in open("/proc/%d/status" % pid) if l.startswith("PPid:")][0]',
      'print(rc, os.getpid(), ppid)',
    ].join('\n')
    const r = sh('python3', ['-c', script])
    const [rc, reaper, parent] = r.stdout.trim().split(' ')
    t.equal(rc, '0', r.stderr)
    t.equal(parent, reaper, 'the exec\'d process is a child of the subreaper that called runt')
  })

  t.test('a foreground exec is runt\'s child; SIGKILL gives 128+9', async t => {
    const { id } = running(t)
    const child = spawn(RUNT, ['--root', root, 'exec', id, 'sleep', '100004'], { stdio: 'ignore' })
    const exited = new Promise<number | null>(resolve => child.on('exit', c => resolve(c)))
    let pid = 0
    for (let i = 0; i < 500 && pid === 0; i++) {
      await settle()
      const pids: number[] = JSON.parse(runt(['ps', '--format', 'json', id]).stdout)
      pid = pids.find(p => fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('100004')) ?? 0
    }
    t.not(pid, 0, 'the process is in the container')
    t.equal(statusField(pid, 'PPid'), String(child.pid), 'its parent is the runt that waits for it')
    process.kill(pid, 'SIGKILL')
    t.equal(await exited, 137)
  })

  t.test('a missing executable: exit 255 and runc\'s message, nothing left running', async t => {
    const { id } = running(t)
    const r = runt(['exec', id, 'no-such-program'])
    t.equal(r.status, 255)
    t.match(r.stderr, 'exec failed: ')
    t.match(r.stderr, 'exec: "no-such-program": executable file not found in $PATH')
    const abs = runt(['exec', id, '/no/such/file'])
    t.equal(abs.status, 255)
    t.match(abs.stderr, 'no such file or directory')
    const pids: number[] = JSON.parse(runt(['ps', '--format', 'json', id]).stdout)
    t.equal(pids.length, 1, 'only the init is in the container')
    const missing = runt(['exec', 'no-such-container', 'true'])
    t.equal(missing.status, 255)
    t.match(missing.stderr, 'container does not exist')
    const empty = runt(['exec', id])
    t.equal(empty.status, 255)
    t.match(empty.stderr, 'process args cannot be empty')
  })

  t.test('refused in a stopped container, and in a paused one without --ignore-paused', async t => {
    const { id } = running(t)
    t.equal(runt(['pause', id]).status, 0)
    const paused = runt(['exec', id, 'true'])
    t.equal(paused.status, 255)
    t.match(paused.stderr, 'cannot exec in a paused container (use --ignore-paused to override)')
    const dir = tempDir('runt-paused-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const pidFile = path.join(dir, 'p.pid')
    // the process joins the frozen cgroup, so it can only run (and runt return) once resumed
    const child = spawn(RUNT, ['--root', root, 'exec', '-d', '--ignore-paused', '--pid-file', pidFile, id, 'sleep', '100005'], { stdio: 'ignore' })
    const exited = new Promise<number | null>(resolve => child.on('exit', c => resolve(c)))
    const pidsIn = () => (JSON.parse(runt(['ps', '--format', 'json', id]).stdout) as number[]).length
    for (let i = 0; i < 500 && pidsIn() < 2; i++) await settle()
    t.equal(pidsIn(), 2, 'the new process joined the paused container')
    t.equal(runt(['resume', id]).status, 0)
    t.equal(await exited, 0)
    const pid = Number(fs.readFileSync(pidFile, 'utf8'))
    t.match(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'), '100005', 'and ran once the container was resumed')

    t.equal(runt(['kill', id, 'KILL']).status, 0)
    for (let i = 0; i < 500 && status(id) !== 'stopped'; i++) await settle()
    const stopped = runt(['exec', id, 'true'])
    t.equal(stopped.status, 255)
    t.match(stopped.stderr, 'cannot exec in a stopped container')
  })

  t.test('exec into a created container, before start', async t => {
    const bundle = shBundle('exec sleep 100006')
    const id = uniqueId('created')
    t.teardown(() => {
      runt(['delete', '--force', id])
      fs.rmSync(bundle, { recursive: true, force: true })
    })
    t.equal(runt(['create', '-b', bundle, id]).status, 0)
    const r = runt(['exec', id, 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo'])
    t.equal(r.status, 0, r.stderr)
    t.match(r.stdout, /^sleep 100006 $|runt-exec/, 'it sees the waiting init as pid 1')
    t.equal(status(id), 'created', 'still created')
    t.equal(runt(['start', id]).status, 0)
    t.equal(status(id), 'running')
  })

  t.test('only stdio (and --preserve-fds) reach the process', async t => {
    const { id } = running(t)
    const pid = detachedSleeper(id)
    t.same(fs.readdirSync(`/proc/${pid}/fd`).sort(), ['0', '1', '2'])
    const dir = tempDir('runt-fds-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'data')
    fs.writeFileSync(file, 'x')
    const fd3 = fs.openSync(file, 'r')
    const fd4 = fs.openSync(file, 'r')
    const preserved = detachedSleeper(id, ['--preserve-fds', '1'], [fd3, fd4])
    fs.closeSync(fd3)
    fs.closeSync(fd4)
    t.same(fs.readdirSync(`/proc/${preserved}/fd`).sort(), ['0', '1', '2', '3'])
    t.equal(fs.readlinkSync(`/proc/${preserved}/fd/3`), file)
  })

  t.test('before its execve the joining process is the sealed executor, not a host binary', async t => {
    const { id } = running(t)
    const rec = JSON.parse(fs.readFileSync(path.join(root, id, 'state.json'), 'utf8'))
    const plan = buildExecPlan(rec.namespacePaths, processFromFlags(rec.config.process, {
      args: ['true'], env: [], additionalGids: [], caps: [], tty: false, noNewPrivs: false,
    }), { preserveFds: 0 })
    let exe = ''
    const { pid } = launch(plan, { fifoFd: null, consoleSocketFd: null, preserveFds: 0 }, {
      onPid: child => {
        exe = fs.readlinkSync(`/proc/${child}/exe`)
      },
    })
    native().waitPid(pid, false)
    t.equal(exe, '/memfd:runt-exec (deleted)')
  })

  t.test("a container process cannot reach the runtime's binary through /proc while runt exec runs", async t => {
    // no pid namespace: the container sees runt, the parent of the exec'd process
    const { id } = running(t, spec => { spec.linux.namespaces = spec.linux.namespaces.filter((n: any) => n.type !== 'pid') })
    const probe = [
      'runt=$(sed -n "s/^PPid:[[:space:]]*//p" /proc/$$/status)',
      'test -e /proc/$runt && echo "runtime visible"',
      // a subshell: a failed redirection of a special built-in would end the script
      '(: >> /proc/$runt/exe) && echo "opened for writing"',
      'readlink /proc/$runt/exe || echo "link hidden"',
      'readlink /proc/$runt/fd/1 || echo "fds hidden"',
    ].join('; ')
    const r = runt(['exec', id, 'sh', '-c', probe])
    t.match(r.stdout, 'runtime visible', 'the probe looks at the right process')
    t.notMatch(r.stdout, 'opened for writing')
    t.match(r.stderr, /exe: Permission denied/, 'refused for lack of permission, not only because the file is busy')
    t.match(r.stdout, 'link hidden')
    t.match(r.stdout, 'fds hidden')
  })
}
