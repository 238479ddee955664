// Rootless: bin/runt run by an unprivileged user (runt-rootless, made here when missing)
// with a user namespace. The runtime (bin, dist, the addon, the executor, the schemas)
// and the busybox rootfs are copied to a world-readable temp dir first: the checkout
// may sit below a directory only root can enter.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { REPO, ROOTFS, sh, skipReason } from './helpers'
import { unified } from './cgroups-helpers'

const USER = 'runt-rootless'

function why(): string | null {
  const base = skipReason()
  if (base) return base
  if (Number(fs.readFileSync('/proc/sys/user/max_user_namespaces', 'utf8')) === 0) return 'user namespaces are disabled (user.max_user_namespaces = 0)'
  try {
    if (fs.readFileSync('/proc/sys/kernel/unprivileged_userns_clone', 'utf8').trim() === '0') return 'kernel.unprivileged_userns_clone = 0'
  } catch { /* an upstream kernel has no such switch: allowed */ }
  if (spawnSync('setpriv', ['--version']).status !== 0) return 'setpriv (util-linux) is missing'
  return null
}

function ensureUser(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, USER], { encoding: 'utf8' })
  if (id('-u').status !== 0) {
    const r = spawnSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', USER], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`useradd ${USER}: ${r.stderr}`)
  }
  return { uid: Number(id('-u').stdout), gid: Number(id('-g').stdout) }
}

/** The first subordinate range of the user in /etc/subuid or /etc/subgid, if any. */
function subRange(file: string, name: string, uid: number): { start: number; count: number } | undefined {
  let text = ''
  try { text = fs.readFileSync(file, 'utf8') } catch { return undefined }
  for (const line of text.split('\n')) {
    const [who, start, count] = line.split(':')
    if ((who === name || who === String(uid)) && Number(count) > 0) return { start: Number(start), count: Number(count) }
  }
  return undefined
}

const reason = why()
if (reason) t.plan(0, reason)
else {
  const { uid, gid } = ensureUser()
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-rootless-'))
  fs.chmodSync(top, 0o755)
  t.teardown(() => fs.rmSync(top, { recursive: true, force: true }))

  // the runtime, as bin/runt finds it: <root>/bin/runt -> <root>/dist/runt.js, <root>/build/Release, <root>/schemas
  const install = path.join(top, 'runt')
  for (const part of ['bin', 'dist', 'schemas', 'package.json']) fs.cpSync(path.join(REPO, part), path.join(install, part), { recursive: true })
  for (const file of ['runt.node', 'runt-exec']) fs.cpSync(path.join(REPO, 'build', 'Release', file), path.join(install, 'build', 'Release', file))
  const runtBin = path.join(install, 'bin', 'runt')
  fs.cpSync(ROOTFS, path.join(top, 'rootfs'), { recursive: true, verbatimSymlinks: true })
  spawnSync('chmod', ['-R', 'a+rX', top])

  const xdg = path.join(top, 'xdg')
  fs.mkdirSync(xdg, { mode: 0o700 })
  fs.chownSync(xdg, uid, gid)
  // the user's calls start a planner of the user's own (the fast path): end it with the test
  t.teardown(() => {
    try {
      process.kill(Number(fs.readFileSync(path.join(xdg, 'runt-planner', 'planner.pid'), 'utf8')), 'SIGKILL')
    } catch { /* none was started, or it is gone */ }
  })

  /** bin/runt as the user, with a clean environment, in dir */
  const asUser = (args: string[], dir = top, more: string[] = []) => {
    const env = ['env', '-i', 'PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin', `XDG_RUNTIME_DIR=${xdg}`, `HOME=${top}`, ...more]
    // output through files (sh): a detached container keeps what it inherits open
    return sh('setpriv', ['--reuid', String(uid), '--regid', String(gid), '--clear-groups', '--', ...env, runtBin, ...args], { cwd: dir })
  }

  /** a bundle owned by the user, from `runt spec --rootless`, running `script` */
  const bundle = (name: string, script: string, edit: (spec: any) => void = () => {}) => {
    const dir = path.join(top, name)
    fs.mkdirSync(dir)
    fs.chownSync(dir, uid, gid)
    const made = asUser(['spec', '--rootless'], dir)
    if (made.status !== 0) throw new Error(`runt spec --rootless: ${made.stderr}`)
    const spec = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'))
    spec.root.path = path.join(top, 'rootfs')
    spec.process.terminal = false
    spec.process.args = ['sh', '-c', script]
    edit(spec)
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec, null, 2))
    return dir
  }

  t.test('runt spec --rootless maps the user to root in a user namespace of its own', async t => {
    const spec = JSON.parse(fs.readFileSync(path.join(bundle('spec', 'true'), 'config.json'), 'utf8'))
    t.ok(spec.linux.namespaces.some((n: { type: string }) => n.type === 'user'))
    t.same(spec.linux.uidMappings, [{ containerID: 0, hostID: uid, size: 1 }])
    t.same(spec.linux.gidMappings, [{ containerID: 0, hostID: gid, size: 1 }])
  })

  t.test('runt run as an unprivileged user: root inside, the user outside, state under $XDG_RUNTIME_DIR/runt', async t => {
    const b = bundle('run', 'id -u; id -g; cat /proc/self/uid_map')
    const r = asUser(['run', '--bundle', b, 'rl-run'])
    t.equal(r.stderr, '')
    t.equal(r.status, 0)
    const [u, g, map] = r.stdout.split('\n')
    t.equal(u, '0', 'uid 0 inside')
    t.equal(g, '0', 'gid 0 inside')
    t.same(map.trim().split(/\s+/), ['0', String(uid), '1'], 'which is the user outside')

    const d = bundle('detached', 'sleep 1000')
    t.equal(asUser(['run', '-d', '--bundle', d, 'rl-detached']).status, 0)
    t.teardown(() => { asUser(['delete', '--force', 'rl-detached']) })
    const state = JSON.parse(asUser(['state', 'rl-detached']).stdout)
    t.equal(state.status, 'running')
    const status = fs.readFileSync(`/proc/${state.pid}/status`, 'utf8')
    t.match(status, new RegExp(`\\nUid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}\\n`), 'on the host the process runs as the user')
    t.ok(fs.existsSync(path.join(xdg, 'runt', 'rl-detached')), 'the state lives under $XDG_RUNTIME_DIR/runt')
    t.equal(fs.statSync(path.join(xdg, 'runt', 'rl-detached')).uid, uid, 'owned by the user')
    t.equal(asUser(['delete', '--force', 'rl-detached']).status, 0)
    const alive = () => { try { return !/^\d+ \(.*\) [ZX]/.test(fs.readFileSync(`/proc/${state.pid}/stat`, 'utf8')) } catch { return false } }
    t.notOk(alive(), 'the process is gone (or a zombie waiting for its reaper)')
    t.same(asUser(['list', '-q']).stdout, '', 'nothing left')
  })

  t.test("the user's calls on the fast path go to a planner of its own under $XDG_RUNTIME_DIR", async t => {
    const trace = path.join(xdg, 'trace')
    const r = asUser(['list', '-q'], top, ['RUNT_PATH=fast', `RUNT_PATH_TRACE=${trace}`])
    t.equal(r.status, 0, r.stderr)
    t.match(fs.readFileSync(trace, 'utf8'), /^fast \d+\n$/, 'served by a planner')
    const dir = path.join(xdg, 'runt-planner')
    t.equal(fs.statSync(dir).mode & 0o777, 0o700, 'in a directory only the user may enter')
    const pid = Number(fs.readFileSync(path.join(dir, 'planner.pid'), 'utf8'))
    t.teardown(() => { try { process.kill(pid, 'SIGKILL') } catch { /* gone already */ } })
    t.match(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), new RegExp(`\\nUid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}\\n`), 'running as the user')
  })

  t.test('runt exec as the unprivileged user into its rootless container', async t => {
    const d = bundle('exec', 'sleep 1000')
    t.equal(asUser(['run', '-d', '--bundle', d, 'rl-exec']).status, 0)
    t.teardown(() => { asUser(['delete', '--force', 'rl-exec']) })
    const init = JSON.parse(asUser(['state', 'rl-exec']).stdout).pid as number

    const r = asUser(['exec', '--cwd', '/tmp', '--env', 'GREETING=hi', 'rl-exec', 'sh', '-c', 'id -u; id -g; pwd; echo "$GREETING"; cat /proc/self/uid_map; exit 3'])
    t.equal(r.stderr, '')
    t.equal(r.status, 3, "the exit status is the process's")
    const [u, g, cwd, env, map] = r.stdout.split('\n')
    t.same([u, g, cwd, env], ['0', '0', '/tmp', 'hi'], 'root inside, in the cwd and with the env asked for')
    t.same(map!.trim().split(/\s+/), ['0', String(uid), '1'], "in the container's user namespace")

    const pidFile = path.join(top, 'exec', 'exec.pid')
    const bg = asUser(['exec', '-d', '--pid-file', pidFile, 'rl-exec', 'sleep', '1000'])
    t.equal(bg.status, 0, bg.stderr)
    const pid = Number(fs.readFileSync(pidFile, 'utf8'))
    t.match(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), new RegExp(`\\nUid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}\\n`), 'on the host the exec\'d process runs as the user')
    for (const ns of ['user', 'pid', 'mnt']) t.equal(fs.readlinkSync(`/proc/${pid}/ns/${ns}`), fs.readlinkSync(`/proc/${init}/ns/${ns}`), `in the container's ${ns} namespace`)

    const missing = asUser(['exec', 'rl-exec', 'no-such-program'])
    t.equal(missing.status, 255)
    t.equal(missing.stderr, 'exec failed: exec: "no-such-program": executable file not found in $PATH\n')
    t.equal(asUser(['delete', '--force', 'rl-exec']).status, 0)
  })

  // a pure cgroup v2 host (the v2 VM, test/v2/run.sh): the rootless spec's cgroup mount is
  // cgroup2 of the container's cgroup namespace, or (where the kernel refuses a second
  // mount of the same root, or the user namespace may not mount it) a bind of the
  // container's cgroup directory, as runc does; read-only either way
  t.test('on cgroup v2 the container sees its own cgroup at /sys/fs/cgroup, read-only', { skip: unified ? false : 'not a pure cgroup v2 host' }, async t => {
    const b = bundle('cgroup2', 'cat /proc/self/cgroup; grep " /sys/fs/cgroup " /proc/self/mountinfo; ls /sys/fs/cgroup/cgroup.procs; touch /sys/fs/cgroup/x')
    const r = asUser(['run', '--bundle', b, 'rl-cgroup2'])
    t.equal(r.status, 1, 'the last command (a write) fails')
    const lines = r.stdout.split('\n')
    t.equal(lines[0], '0::/', 'the cgroup namespace starts at the container\'s cgroup')
    // the last line is the mount on top (under it: the one the /sys rbind brought)
    const top = lines.filter(l => l.includes(' /sys/fs/cgroup ')).pop()
    t.match(top, / \/sys\/fs\/cgroup ro,.* - cgroup2 /, 'cgroup2 is mounted there, read-only')
    t.ok(lines.includes('/sys/fs/cgroup/cgroup.procs'), 'it shows the cgroup files')
    t.match(r.stderr, /Read-only file system/)
    t.same(asUser(['list', '-q']).stdout, '', 'nothing left')
  })

  const subuid = subRange('/etc/subuid', USER, uid)
  const subgid = subRange('/etc/subgid', USER, uid)
  const newuidmap = ['/usr/bin/newuidmap', '/usr/bin/newgidmap'].every(f => fs.existsSync(f))
  t.test('several id ranges go through newuidmap and newgidmap', { skip: !newuidmap ? 'newuidmap/newgidmap missing (Debian package uidmap)' : !subuid || !subgid ? `no /etc/subuid or /etc/subgid entry for ${USER}` : false }, async t => {
    const b = bundle('ranges', 'cat /proc/self/uid_map /proc/self/gid_map', spec => {
      spec.linux.uidMappings = [{ containerID: 0, hostID: uid, size: 1 }, { containerID: 1, hostID: subuid!.start, size: Math.min(subuid!.count, 65536) }]
      spec.linux.gidMappings = [{ containerID: 0, hostID: gid, size: 1 }, { containerID: 1, hostID: subgid!.start, size: Math.min(subgid!.count, 65536) }]
    })
    const r = asUser(['run', '--bundle', b, 'rl-ranges'])
    t.equal(r.stderr, '')
    t.equal(r.status, 0)
    const lines = r.stdout.trim().split('\n').map(l => l.trim().split(/\s+/).join(' '))
    t.same(lines, [`0 ${uid} 1`, `1 ${subuid!.start} ${Math.min(subuid!.count, 65536)}`, `0 ${gid} 1`, `1 ${subgid!.start} ${Math.min(subgid!.count, 65536)}`])
  })

  t.test('what a rootless container cannot have is one clear error, and nothing is left', async t => {
    // no cgroup is writable to the user: a limit cannot be applied (runc's words)
    const limited = bundle('limited', 'true', spec => { spec.linux.resources = { memory: { limit: 64 << 20 } } })
    const r = asUser(['run', '--bundle', limited, 'rl-limited'])
    t.equal(r.status, 1)
    t.equal(r.stderr, 'cannot set memory limit: container could not join or create cgroup (not permitted to an unprivileged runtime)\n')
    // mapping ids that are not the user's, without newuidmap's consent
    const foreign = bundle('foreign', 'true', spec => { spec.linux.uidMappings = [{ containerID: 0, hostID: 0, size: 1 }] })
    const f = asUser(['run', '--bundle', foreign, 'rl-foreign'])
    t.equal(f.status, 1)
    t.equal(f.stderr.split('\n').length, 2, `one line: ${f.stderr}`)
    t.match(f.stderr, /^newuidmap \d+ 0 0 1: /)
    t.same(asUser(['list', '-q']).stdout, '', 'no container left')
    t.same(fs.readdirSync(path.join(xdg, 'runt')), [], 'no state directory left')
  })
}
