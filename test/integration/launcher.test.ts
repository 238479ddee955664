// launch() against real containers: a busybox rootfs in a temp dir, hand-built plans,
// everything checked from outside. Plans whose process prints run in a child node
// process (so the output can be captured); the others run in this process.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { launch, LaunchError, type LaunchCallbacks } from '../../src/launcher/launch'
import type { LaunchPlan, MountOp } from '../../src/plan/types'
import { native } from '../../src/sys/native'
import { HOST_LSM } from '../../src/runtime/lsm'

const REPO = path.resolve(__dirname, '..', '..')
const BUSYBOX = '/bin/busybox'
const APPLETS = ['sh', 'echo', 'cat', 'ls', 'id', 'hostname', 'sleep', 'true', 'false', 'mount', 'readlink', 'grep', 'pwd', 'stty']

const MS = { RDONLY: 1, NOSUID: 2, NODEV: 4, NOEXEC: 8, BIND: 0x1000, REC: 0x4000, SLAVE: 0x80000, SHARED: 0x100000 }
const CLONE = { NEWTIME: 0x80, NEWNS: 0x20000, NEWCGROUP: 0x2000000, NEWUTS: 0x4000000, NEWIPC: 0x8000000, NEWUSER: 0x10000000, NEWPID: 0x20000000 }
const O_PATH = 0o10000000
const O_CLOEXEC = 0o2000000

/** true when the ELF file has no program interpreter (PT_INTERP), i.e. is static */
function isStaticElf(file: string): boolean {
  const b = fs.readFileSync(file)
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2) return false
  const phoff = Number(b.readBigUInt64LE(0x20))
  const phentsize = b.readUInt16LE(0x36)
  const phnum = b.readUInt16LE(0x38)
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return false
  return true
}

function skipReason(): string | null {
  if (process.getuid?.() !== 0) return 'launcher integration tests need root'
  if (!fs.existsSync(path.join(REPO, 'build', 'Release', 'runt-exec'))) return 'runt-exec is not built (npm run install)'
  if (!fs.existsSync(BUSYBOX) || !isStaticElf(BUSYBOX)) return 'needs a static /bin/busybox (apt-get install busybox-static)'
  return null
}

function makeRootfs(dir: string): string {
  const rootfs = path.join(dir, 'rootfs')
  for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp', 'etc/secretdir']) fs.mkdirSync(path.join(rootfs, d), { recursive: true })
  fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin', 'busybox'))
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755)
  for (const a of APPLETS) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a))
  fs.writeFileSync(path.join(rootfs, 'etc', 'secret'), 'secret\n')
  fs.writeFileSync(path.join(rootfs, 'etc', 'secretdir', 'inner'), 'inner\n')
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777)
  return rootfs
}

const procMount: MountOp = {
  destination: '/proc', source: 'proc', fstype: 'proc', flags: MS.NOSUID | MS.NODEV | MS.NOEXEC, propagation: [],
  data: '', recAttrSet: 0, recAttrClr: 0, createAs: 'dir', tmpcopyup: false, idmap: null,
}

function bindMount(source: string, destination: string, createAs: 'dir' | 'file' = 'dir', extra = 0): MountOp {
  return { destination, source, fstype: 'none', flags: MS.BIND | MS.REC | extra, propagation: [], data: '', recAttrSet: 0, recAttrClr: 0, createAs, tmpcopyup: false, idmap: null }
}

function basePlan(rootfs: string, args: string[], over: Partial<LaunchPlan> = {}): LaunchPlan {
  return {
    mode: 'init', cloneFlags: CLONE.NEWNS | CLONE.NEWPID | CLONE.NEWUTS | CLONE.NEWIPC,
    joinNamespaces: [], uidMappings: [], gidMappings: [], timeOffsets: [],
    rootfs, rootPropagation: MS.SLAVE, rootfsPropagation: 0, readonlyRootfs: false, noPivot: false,
    mounts: [procMount],
    devices: [{ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0, bindFromHost: false }],
    symlinks: [], maskedPaths: [], readonlyPaths: [], hostname: 'box', domainname: null, sysctls: [], netDevices: [], hookPause: false,
    args, env: ['PATH=/bin'], cwd: '/', uid: 0, gid: 0, additionalGids: [], umask: null, rlimits: [],
    capabilities: null, noNewPrivileges: false, oomScoreAdj: null, terminal: false, consoleSize: null,
    preserveFds: 0, newKeyring: true, cpuAffinityInitial: null, cpuAffinityFinal: null, seccomp: null, apparmorProfile: null, selinuxLabel: null, ...over,
  }
}

// --- running a plan in a child node process, to capture the container's output -----
const CHILD_SCRIPT = `
const fs = require('fs')
const [launchModule, nativeModule, planJson] = process.argv.slice(1)
const { launch } = require(launchModule)
const { native } = require(nativeModule)
const plan = JSON.parse(planJson, (k, v) => (v && typeof v === 'object' && '$big' in v ? BigInt(v.$big) : v))
let result
try {
  const { pid } = launch(plan, { fifoFd: null, consoleSocketFd: null, preserveFds: plan.preserveFds }, { onPid() {} })
  result = { pid, wait: native().waitPid(pid, false) }
} catch (e) {
  result = { error: { name: e.name, message: e.message, step: e.step, errno: e.errno, path: e.path } }
}
fs.writeSync(3, JSON.stringify(result))
`

interface ChildRun {
  stdout: string
  stderr: string
  result: { pid?: number; wait?: { exited: boolean; status: number; signal: number }; error?: Record<string, string> }
}

function runInChild(plan: LaunchPlan): ChildRun {
  const json = JSON.stringify(plan, (_k, v) => (typeof v === 'bigint' ? { $big: v.toString() } : v))
  const loader = process.execArgv.filter(a => a.includes('@tapjs/typescript'))
  const r = spawnSync(process.execPath, [...loader, '-e', CHILD_SCRIPT,
    path.join(REPO, 'src', 'launcher', 'launch'), path.join(REPO, 'src', 'sys', 'native'), json],
  { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], encoding: 'utf8', timeout: 60_000 })
  const resultText = String(r.output[3] ?? '')
  if (!resultText) throw new Error(`launcher child failed (status ${r.status}): ${r.stderr}`)
  return { stdout: String(r.stdout), stderr: String(r.stderr), result: JSON.parse(resultText) }
}

/** Launch in this process; the error (if any) and the pid the callbacks saw. */
function launchHere(plan: LaunchPlan, io: { fifoFd?: number; consoleSocketFd?: number } = {}, onHooks?: LaunchCallbacks['onHooks']) {
  const seen: { pid?: number; error?: unknown; launched?: number } = {}
  try {
    seen.launched = launch(plan, { fifoFd: io.fifoFd ?? null, consoleSocketFd: io.consoleSocketFd ?? null, preserveFds: 0 }, {
      onPid: pid => { seen.pid = pid },
      onHooks,
    }).pid
  } catch (err) {
    seen.error = err
  }
  return seen
}

const mountCount = () => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).length
const gone = (pid: number) => !fs.existsSync(`/proc/${pid}`)

/** A fifo-mode launch: the init waits on the fifo until release() opens it. */
function launchWaiting(plan: LaunchPlan, dir: string, consoleSocketFd?: number) {
  const fifo = path.join(dir, `exec-${Math.random().toString(36).slice(2)}.fifo`)
  native().mkfifo(fifo, 0o622)
  const fifoFd = fs.openSync(fifo, O_PATH | O_CLOEXEC)
  try {
    const seen = launchHere(plan, { fifoFd, consoleSocketFd })
    if (seen.error) throw seen.error
    const pid = seen.launched!
    return {
      pid,
      release() {
        const r = fs.openSync(fifo, 'r')
        const byte = Buffer.alloc(1)
        const n = fs.readSync(r, byte)
        fs.closeSync(r)
        fs.rmSync(fifo)
        return { read: byte.subarray(0, n).toString(), wait: native().waitPid(pid, false) }
      },
    }
  } finally {
    fs.closeSync(fifoFd)
  }
}

const skip = skipReason()
if (skip) {
  t.plan(0, skip)
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-launcher-'))
  fs.chmodSync(dir, 0o755) // root of a user namespace (an unprivileged host uid) must reach the rootfs
  const rootfs = makeRootfs(dir)
  const mountsBefore = mountCount()
  t.teardown(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  /** run in a child runtime; a launch error fails the test with its message */
  const run = (args: string[], over: Partial<LaunchPlan> = {}) => {
    const r = runInChild(basePlan(rootfs, args, over))
    if (r.result.error) t.fail(`launch failed: ${r.result.error.message}`)
    return r
  }

  t.test('echo hi: the container prints to the runtime\'s stdout and exits 0', async t => {
    const r = run(['echo', 'hi'])
    t.equal(r.stdout, 'hi\n')
    t.same(r.result.wait, { pid: r.result.pid, exited: true, status: 0, signal: 0 })
  })

  t.test('the exit status is the process\'s', async t => {
    t.equal(run(['sh', '-c', 'exit 7']).result.wait?.status, 7)
  })

  t.test('the process is pid 1 of a new pid namespace, with its own hostname and /proc', async t => {
    t.equal(run(['sh', '-c', 'echo $$']).stdout, '1\n')
    t.equal(run(['hostname']).stdout, 'box\n')
    t.match(run(['cat', '/proc/mounts']).stdout, /^proc \/proc proc rw,nosuid,nodev,noexec/m)
  })

  t.test('bind mounts: a host directory and a host file, created in the rootfs when missing', async t => {
    const hostDir = path.join(dir, 'host-data')
    fs.mkdirSync(hostDir, { recursive: true })
    fs.writeFileSync(path.join(hostDir, 'data'), 'from host\n')
    const r = run(['sh', '-c', 'cat /mnt/host/data /etc/hostfile; echo x > /mnt/ro/y'], {
      mounts: [procMount, bindMount(hostDir, '/mnt/host'), bindMount(path.join(hostDir, 'data'), '/etc/hostfile', 'file'),
        bindMount(hostDir, '/mnt/ro', 'dir', MS.RDONLY)],
    })
    t.equal(r.stdout, 'from host\nfrom host\n')
    t.match(r.stderr, /Read-only file system/, 'a bind with MS_RDONLY is remounted read-only')
    t.notOk(fs.existsSync(path.join(hostDir, 'y')))
    t.ok(fs.statSync(path.join(rootfs, 'etc', 'hostfile')).isFile(), 'the empty file was made as the mount point')
  })

  t.test('a mount destination that is an absolute symlink is resolved inside the rootfs', async t => {
    fs.symlinkSync('/tmp', path.join(rootfs, 'escape'))
    t.teardown(() => fs.rmSync(path.join(rootfs, 'escape')))
    const hostDir = path.join(dir, 'host-data2')
    fs.mkdirSync(hostDir, { recursive: true })
    fs.writeFileSync(path.join(hostDir, 'f'), 'f\n')
    const r = run(['sh', '-c', 'cat /tmp/f; grep -c " /tmp " /proc/self/mountinfo'], { mounts: [procMount, bindMount(hostDir, '/escape')] })
    t.equal(r.stdout, 'f\n1\n', 'mounted on the rootfs\'s /tmp, not on the host\'s')

    // dangling links: their targets are created inside the rootfs, never on the host
    fs.symlinkSync('/made/abs', path.join(rootfs, 'dangling'))
    fs.symlinkSync('made-rel', path.join(rootfs, 'rel'))
    t.teardown(() => {
      for (const p of ['dangling', 'rel', 'made', 'made-rel']) fs.rmSync(path.join(rootfs, p), { recursive: true, force: true })
    })
    const d = run(['cat', '/dangling/sub/f', '/rel/f'], {
      mounts: [procMount, bindMount(hostDir, '/dangling/sub'), bindMount(hostDir, '/rel')],
    })
    t.equal(d.stdout, 'f\nf\n')
    t.ok(fs.statSync(path.join(rootfs, 'made', 'abs', 'sub')).isDirectory())
    t.ok(fs.statSync(path.join(rootfs, 'made-rel')).isDirectory())
    t.notOk(fs.existsSync('/made'), 'nothing on the host')
  })

  t.test('masked paths: a file reads empty, a directory is an empty read-only tmpfs', async t => {
    const r = run(['sh', '-c', 'cat /etc/secret; ls -A /etc/secretdir; echo x > /etc/secretdir/new'], {
      maskedPaths: ['/etc/secret', '/etc/secretdir', '/does/not/exist'],
    })
    t.equal(r.stdout, '')
    t.match(r.stderr, /Read-only file system/)
  })

  t.test('read-only paths and a read-only rootfs refuse writes', async t => {
    const r = run(['sh', '-c', 'echo x > /x; echo x > /proc/sys/kernel/hostname; echo $?'], {
      readonlyRootfs: true, readonlyPaths: ['/proc/sys', '/nope'],
    })
    t.match(r.stderr, /can't create \/x: Read-only file system/)
    t.equal(r.stdout, '1\n', 'the write to /proc/sys failed')
    t.notOk(fs.existsSync(path.join(rootfs, 'x')))
  })

  t.test('user, groups, cwd, env and umask of the process', async t => {
    const r = run(['sh', '-c', 'id; pwd; echo $FOO; umask'], {
      uid: 1000, gid: 1001, additionalGids: [10, 20], cwd: '/tmp', env: ['PATH=/bin', 'FOO=bar'], umask: 0o27,
    })
    t.equal(r.stdout, 'uid=1000 gid=1001 groups=10,20\n/tmp\nbar\n0027\n')
  })

  t.test('capabilities: the given masks, across a change of user', async t => {
    const caps = { bounding: 0x21n, effective: 0x21n, permitted: 0x21n, inheritable: 0x1n, ambient: 0x1n }
    const root = run(['grep', 'Cap', '/proc/self/status'], { capabilities: caps })
    t.match(root.stdout, /CapEff:\t0000000000000021/)
    t.match(root.stdout, /CapBnd:\t0000000000000021/)
    const user = run(['grep', 'Cap', '/proc/self/status'], { capabilities: caps, uid: 1000, gid: 1000 })
    t.match(user.stdout, /CapEff:\t0000000000000001/, 'a non-root process keeps its ambient capability')
    t.match(user.stdout, /CapAmb:\t0000000000000001/)
    const nnp = run(['grep', 'NoNewPrivs', '/proc/self/status'], { noNewPrivileges: true })
    t.match(nnp.stdout, /NoNewPrivs:\t1/)
  })

  t.test('an rshared root propagation, with pivot_root and with MS_MOVE (no pivot)', async t => {
    for (const noPivot of [false, true]) {
      const r = run(['sh', '-c', 'cat /proc/self/mountinfo'], { rootPropagation: MS.SHARED, noPivot })
      t.match(r.stdout, /^\d+ \d+ \S+ \S+ \/ /, `noPivot ${noPivot}: the rootfs is the container's /`)
      t.equal(r.result.wait?.status, 0)
    }
  })

  t.test('a time namespace carries the boottime offset', async t => {
    const r = run(['cat', '/proc/uptime'], {
      cloneFlags: basePlan(rootfs, []).cloneFlags | CLONE.NEWTIME,
      timeOffsets: [{ clock: 'boottime', secs: 50_000_000n, nanosecs: 0 }],
    })
    t.ok(Number(r.stdout.split(' ')[0]) >= 50_000_000, `uptime ${r.stdout.trim()}`)
  })

  t.test('only stdio crosses into the container: no runtime descriptor leaks', async t => {
    // the child runtime holds its result pipe on fd 3 and node's own descriptors above it
    t.equal(run(['ls', '/proc/self/fd']).stdout, '0\n1\n2\n3\n', 'fd 3 is ls reading the directory')
  })

  t.test('preserved fds: fd 3 of the runtime is passed on', async t => {
    const r = run(['sh', '-c', 'ls /proc/self/fd; readlink /proc/self/fd/3'], { preserveFds: 1 })
    t.match(r.stdout, /^0\n1\n2\n3\n4\n(pipe|socket):\[\d+\]\n$/, 'fd 3 is the runtime\'s result channel, fd 4 is ls reading the directory')
  })

  t.test('rlimits, oom_score_adj, sysctls, domainname and a cgroup namespace', async t => {
    const r = run(['sh', '-c', 'ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj /proc/sys/kernel/domainname; cat /proc/self/cgroup'], {
      rlimits: [{ resource: 7, soft: 1000n, hard: 2000n }], oomScoreAdj: 500, domainname: 'example.org',
      sysctls: [{ key: 'kernel.hostname', value: 'via-sysctl' }],
      cloneFlags: basePlan(rootfs, []).cloneFlags | CLONE.NEWCGROUP,
    })
    const [soft, hard, oom, domain, ...cgroups] = r.stdout.trim().split('\n')
    t.same([soft, hard, oom, domain], ['1000', '2000', '500', 'example.org'])
    t.ok(cgroups.length > 0 && cgroups.every(l => l.endsWith(':/')), 'every cgroup path is the namespace root')
    t.equal(run(['hostname'], { sysctls: [{ key: 'kernel.hostname', value: 'via-sysctl' }] }).stdout, 'via-sysctl\n')
  })

  t.test('a failing onPid (e.g. joining the cgroup) aborts the launch and kills the child', async t => {
    let childPid = 0
    t.throws(() => launch(basePlan(rootfs, ['true']), { fifoFd: null, consoleSocketFd: null, preserveFds: 0 }, {
      onPid: pid => { childPid = pid; throw new Error('cgroup join failed') },
    }), /cgroup join failed/)
    t.ok(childPid > 0 && gone(childPid))
  })

  t.test('a missing executable fails at launch with step exec, and leaves no process', async t => {
    const seen = launchHere(basePlan(rootfs, ['nope']))
    t.type(seen.error, LaunchError)
    const e = seen.error as LaunchError
    t.equal(e.message, 'exec: "nope": executable file not found in $PATH')
    t.match(e, { step: 'exec', errno: 'ENOENT', path: 'nope' })
    t.ok(seen.pid && gone(seen.pid), 'the init was killed and reaped')
    const abs = launchHere(basePlan(rootfs, ['/bin/nope'])).error as LaunchError
    t.equal(abs.message, 'exec: "/bin/nope": no such file or directory')
    const notExec = launchHere(basePlan(rootfs, ['/etc/secret'])).error as LaunchError
    t.equal(notExec.message, 'exec: "/etc/secret": permission denied')
  })

  t.test('LSM labels go through the container\'s procfs (a private verified handle of it); without AppArmor and SELinux the kernel refuses them', { skip: HOST_LSM.apparmor() || HOST_LSM.selinux() ? 'an LSM is enabled here' : false }, async t => {
    const aa = launchHere(basePlan(rootfs, ['true'], { apparmorProfile: 'runt-test' }))
    t.type(aa.error, LaunchError)
    t.equal((aa.error as LaunchError).message, 'write apparmor profile to /proc/thread-self/attr/exec: invalid argument (EINVAL)')
    t.ok(aa.pid && gone(aa.pid), 'the init was killed and reaped')
    const se = launchHere(basePlan(rootfs, ['true'], { selinuxLabel: 'system_u:system_r:container_t:s0' })).error as LaunchError
    t.equal(se.message, 'write selinux label to /proc/thread-self/attr/exec: invalid argument (EINVAL)')
    // CVE-2019-16884: something else at /proc (here: no procfs mounted at all) is never written to
    const noProc = launchHere(basePlan(rootfs, ['true'], { apparmorProfile: 'runt-test', mounts: [] })).error as LaunchError
    t.equal(noProc.message, 'lsm label file is not on procfs: /proc: invalid cross-device link (EXDEV)')
    const tmpfsProc = { ...procMount, fstype: 'tmpfs', source: 'tmpfs' }
    const fake = launchHere(basePlan(rootfs, ['true'], { selinuxLabel: 'x', mounts: [tmpfsProc] })).error as LaunchError
    t.equal(fake.message, 'lsm label file is not on procfs: /proc: invalid cross-device link (EXDEV)')
  })

  t.test('a bad mount source names the step, the destination and the errno', async t => {
    const seen = launchHere(basePlan(rootfs, ['true'], { mounts: [bindMount('/nonexistent-runt-source', '/mnt/bad')] }))
    const e = seen.error as LaunchError
    t.type(e, LaunchError)
    t.equal(e.message, 'mount /mnt/bad: no such file or directory (ENOENT)')
    t.match(e, { step: 'mount', errno: 'ENOENT', path: '/mnt/bad' })
    t.ok(seen.pid && gone(seen.pid))
    const fsErr = launchHere(basePlan(rootfs, ['true'], { mounts: [{ ...procMount, fstype: 'nosuchfs' }] })).error as LaunchError
    t.equal(fsErr.message, 'mount /proc: no such device (ENODEV)')
  })

  t.test('fifo mode: the init waits, its /proc/<pid>/exe is a memfd, start releases it', async t => {
    const waiting = launchWaiting(basePlan(rootfs, ['true']), dir)
    const exe = fs.readlinkSync(`/proc/${waiting.pid}/exe`)
    t.match(exe, /^\/memfd:runt-exec/, 'not a file on the host\'s disk')
    t.not(exe, fs.realpathSync(process.execPath))
    const released = waiting.release()
    t.equal(released.read, '0')
    t.same(released.wait, { pid: waiting.pid, exited: true, status: 0, signal: 0 })
  })

  t.test('hook pause: HOOKS arrives with mounts done and before pivot_root', async t => {
    let mountinfo = ''
    let hookPid = 0
    const seen = launchHere(basePlan(rootfs, ['true'], { hookPause: true }), {}, pid => {
      hookPid = pid
      mountinfo = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    })
    t.notOk(seen.error)
    t.equal(hookPid, seen.pid)
    t.match(mountinfo, ` ${path.join(rootfs, 'proc')} `, 'the container\'s /proc is mounted, seen from the old root')
    t.same(native().waitPid(seen.launched!, false), { pid: seen.launched, exited: true, status: 0, signal: 0 })
  })

  t.test('join mode: a second process enters the namespaces of a waiting init', async t => {
    const waiting = launchWaiting(basePlan(rootfs, ['true'], { hostname: 'joined' }), dir)
    const ns = (n: string) => ({ type: n === 'mnt' ? 'mount' : n, path: `/proc/${waiting.pid}/ns/${n}` }) as LaunchPlan['joinNamespaces'][0]
    const r = runInChild(basePlan('', ['sh', '-c', 'hostname; readlink /proc/self/ns/pid; echo $$'], {
      mode: 'join', cloneFlags: 0, mounts: [], devices: [], hostname: null,
      joinNamespaces: [ns('pid'), ns('uts'), ns('ipc'), ns('mnt')],
    }))
    const [hostname, pidNs, pid] = r.stdout.split('\n')
    t.equal(hostname, 'joined')
    t.equal(pidNs, fs.readlinkSync(`/proc/${waiting.pid}/ns/pid`))
    t.not(pid, '1', 'not the init')
    t.equal(r.result.wait?.status, 0)
    t.equal(waiting.release().wait?.status, 0)
  })

  t.test('terminal: the pty master goes to the console socket, the slave is stdio', async t => {
    const [consoleFd, ourEnd] = native().socketPair()
    const devpts: MountOp = { destination: '/dev/pts', source: 'devpts', fstype: 'devpts', flags: MS.NOSUID | MS.NOEXEC,
      propagation: [], data: 'newinstance,ptmxmode=0666,mode=0620', recAttrSet: 0, recAttrClr: 0, createAs: 'dir', tmpcopyup: false, idmap: null }
    let waiting
    try {
      waiting = launchWaiting(basePlan(rootfs, ['sh', '-c', 'stty size; echo hi'], {
        terminal: true, consoleSize: { height: 40, width: 100 }, mounts: [procMount, devpts],
      }), dir, consoleFd)
    } finally {
      fs.closeSync(consoleFd)
    }
    const master = native().recvFd(ourEnd)
    fs.closeSync(ourEnd)
    t.equal(master.payload, '/dev/pts/0', 'the payload names the pty')
    t.equal(fs.readlinkSync(`/proc/${waiting.pid}/fd/0`), '/dev/pts/0')
    t.equal(fs.readlinkSync(`/proc/${waiting.pid}/fd/2`), '/dev/pts/0')
    const released = waiting.release()
    t.equal(released.wait?.status, 0)
    let out = ''
    const buf = Buffer.alloc(256)
    try {
      for (let n; (n = fs.readSync(master.fd, buf)) > 0;) out += buf.subarray(0, n).toString()
    } catch (err) {
      t.equal((err as NodeJS.ErrnoException).code, 'EIO', 'the slave side is closed')
    }
    fs.closeSync(master.fd)
    t.equal(out, '40 100\r\nhi\r\n', 'the size was applied and the output came through the pty')
  })

  t.test('user namespace: root inside is 100000 outside', async t => {
    const r = run(['sh', '-c', 'id -u; cat /proc/self/uid_map /proc/self/gid_map'], {
      cloneFlags: CLONE.NEWUSER | CLONE.NEWNS | CLONE.NEWPID | CLONE.NEWUTS,
      uidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      gidMappings: [{ containerID: 0, hostID: 100000, size: 65536 }],
      devices: [{ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0, bindFromHost: true }],
      maskedPaths: ['/etc/secret'], readonlyPaths: ['/proc/sys'],
    })
    t.match(r.stdout, /^0\n\s*0\s+100000\s+65536\n\s*0\s+100000\s+65536\n$/)
    t.equal(r.result.wait?.status, 0, r.stderr)
  })

  t.test('nothing leaked into the host\'s mount namespace', async t => {
    t.equal(mountCount(), mountsBefore)
  })
}
