// linux.seccomp in real containers: a Docker-shaped profile, each action, argument
// comparisons with every operator, flags, `exec` getting the filter, and SCMP_ACT_NOTIFY
// answered by an agent (test/integration/seccomp/agent.c) at listenerPath.
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { REPO, containerSuite, shBundle, tempDir, uniqueId } from './helpers'

// x86_64 syscall numbers the probe calls (test/integration/seccomp/probe.c)
const NR = { alarm: 37, mkdir: 83, uname: 63, getpgid: 121, getsid: 124, personality: 135, getpriority: 140, sched_getscheduler: 145, sched_get_priority_max: 146, sched_get_priority_min: 147, keyctl: 250 }
const DOCKER_LIKE = JSON.parse(fs.readFileSync(path.join(REPO, 'test/fixtures/seccomp/docker-like.json'), 'utf8'))

const suite = process.arch === 'x64' ? containerSuite(t) : (t.plan(0, 'the probe uses x86_64 syscall numbers'), null)
if (suite) {
  const { runt } = suite
  const work = tempDir('runt-seccomp-')
  t.teardown(() => fs.rmSync(work, { recursive: true, force: true }))
  const cc = (src: string, out: string, extra: string[] = []) => {
    const r = spawnSync('gcc', ['-O1', '-o', path.join(work, out), path.join(__dirname, 'seccomp', src), ...extra])
    if (r.status !== 0) throw new Error(`gcc ${src}: ${r.stderr}`)
    return path.join(work, out)
  }
  const probe = cc('probe.c', 'probe', ['-static'])

  /** Run script in a fresh container with this seccomp profile (the probe at /probe). */
  const inside = (script: string, seccomp: object | undefined, edit: (spec: any) => void = () => {}) => {
    const bundle = shBundle(script, s => {
      if (seccomp) s.linux.seccomp = seccomp
      s.mounts.push({ destination: '/probe', type: 'bind', source: probe, options: ['bind', 'ro'] })
      s.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] })
      edit(s)
    })
    try {
      return runt(['run', '-b', bundle, uniqueId('sc')])
    } finally {
      fs.rmSync(bundle, { recursive: true, force: true })
    }
  }
  const allowBut = (...syscalls: object[]) => ({ defaultAction: 'SCMP_ACT_ALLOW', syscalls })

  t.test('a Docker-shaped profile: busybox works, unshare, mount and keyctl get EPERM even with CAP_SYS_ADMIN', async t => {
    const withAdmin = (s: any) => {
      for (const set of ['bounding', 'effective', 'permitted']) s.process.capabilities[set].push('CAP_SYS_ADMIN')
    }
    const script = 'grep Seccomp: /proc/self/status; ls / | wc -l >/dev/null && echo ls-ok; echo hi | sed s/hi/sed-ok/; ' +
      'unshare -m true; echo unshare=$?; mount -t tmpfs none /tmp; echo mount=$?; /probe ' + NR.keyctl + ':1'
    const r = inside(script, DOCKER_LIKE, withAdmin)
    t.equal(r.status, 0, r.stderr)
    t.equal(r.stdout, 'Seccomp:\t2\nls-ok\nsed-ok\nunshare=1\nmount=1\nerrno 1\n')
    t.match(r.stderr, /unshare: unshare\(0x20000\): Operation not permitted/)
    t.match(r.stderr, /mount: permission denied/) // busybox's words for EPERM
    const control = inside('mount -t tmpfs none /tmp && echo mounted', undefined, withAdmin)
    t.equal(control.stdout, 'mounted\n', 'without the profile CAP_SYS_ADMIN mounts')
    const other = inside('/probe ' + NR.keyctl + ':1', { ...DOCKER_LIKE, defaultErrnoRet: 38 })
    t.equal(other.stdout, 'errno 38\n', 'defaultErrnoRet is the errno of the default action')
  })

  t.test('SCMP_ACT_ERRNO with errnoRet, and EPERM without', async t => {
    const r = inside('mkdir /tmp/a; /probe ' + NR.getsid + ':0', allowBut(
      { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 28 },
      { names: ['getsid'], action: 'SCMP_ACT_ERRNO' },
    ))
    t.equal(r.stdout, 'errno 1\n')
    t.match(r.stderr, /can't create directory '\/tmp\/a': No space left on device/)
  })

  t.test('SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL and SCMP_ACT_TRAP end the process by SIGSYS (exit 159)', async t => {
    for (const action of ['SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP']) {
      const r = inside('exec /probe ' + NR.getpgid + ':0', allowBut({ names: ['getpgid'], action }))
      t.equal(r.status, 128 + 31, `${action}: ${r.stderr}`)
      t.equal(r.stdout, '', action)
    }
  })

  t.test('argument comparisons: every operator, several arguments in one rule (AND), a repeated index (OR)', async t => {
    const cmp = (name: keyof typeof NR, op: string, errnoRet: number, value = 10, valueTwo?: number) =>
      ({ names: [name], action: 'SCMP_ACT_ERRNO', errnoRet, args: [{ index: 0, value, op, ...(valueTwo === undefined ? {} : { valueTwo }) }] })
    const profile = allowBut(
      cmp('getpgid', 'SCMP_CMP_NE', 101), cmp('getsid', 'SCMP_CMP_LT', 102), cmp('sched_getscheduler', 'SCMP_CMP_LE', 103),
      cmp('sched_get_priority_max', 'SCMP_CMP_EQ', 104), cmp('sched_get_priority_min', 'SCMP_CMP_GE', 105),
      cmp('alarm', 'SCMP_CMP_GT', 106), cmp('personality', 'SCMP_CMP_MASKED_EQ', 107, 0xc, 0x4),
      { names: ['getpriority'], action: 'SCMP_ACT_ERRNO', errnoRet: 108, args: [{ index: 0, value: 0, op: 'SCMP_CMP_EQ' }, { index: 1, value: 77, op: 'SCMP_CMP_EQ' }] },
      { names: ['uname'], action: 'SCMP_ACT_ERRNO', errnoRet: 109, args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 0, value: 2, op: 'SCMP_CMP_EQ' }] },
    )
    const calls = (nr: number) => [5, 10, 15].map(v => `${nr}:${v}`).join(' ')
    const matched = (out: string, errno: number) => out.trim().split('\n').map(l => l === `errno ${errno}`)
    const script = ['getpgid', 'getsid', 'sched_getscheduler', 'sched_get_priority_max', 'sched_get_priority_min', 'alarm', 'personality']
      .map(n => `/probe ${calls(NR[n as keyof typeof NR])}`).join('; echo; ') +
      `; echo; /probe ${NR.getpriority}:0:77 ${NR.getpriority}:0:78 ${NR.getpriority}:1:77; echo; /probe ${NR.uname}:1 ${NR.uname}:2 ${NR.uname}:3`
    const r = inside(script, profile)
    t.equal(r.status, 0, r.stderr)
    const blocks = r.stdout.split('\n\n')
    const expect: [string, number, boolean[]][] = [
      ['NE', 101, [true, false, true]], ['LT', 102, [true, false, false]], ['LE', 103, [true, true, false]],
      ['EQ', 104, [false, true, false]], ['GE', 105, [false, true, true]], ['GT', 106, [false, false, true]],
      ['MASKED_EQ', 107, [true, false, false]], ['two arguments', 108, [true, false, false]], ['index 0 twice', 109, [true, true, false]],
    ]
    expect.forEach(([what, errno, want], i) => t.same(matched(blocks[i] ?? '', errno), want, `${what}: 5, 10, 15 -> ${blocks[i]}`))
    // Docker's personality rule: personality(0xffffffff) (a query) allowed, personality(8) not
    const docker = inside(`/probe ${NR.personality}:0xffffffff ${NR.personality}:8`, allowBut(
      { names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 0xffffffff, op: 'SCMP_CMP_NE' }] }))
    t.equal(docker.stdout, 'ret 0\nerrno 1\n')
  })

  t.test('SCMP_ACT_LOG lets the call through and the kernel logs it; SECCOMP_FILTER_FLAG_LOG is accepted', async t => {
    const logged = () => (spawnSync('dmesg').stdout?.toString() ?? '').split('\n').filter(l => l.includes(`syscall=${NR.sched_get_priority_min} `) && l.includes('code=0x7ffc0000')).length
    const before = logged()
    const r = inside(`/probe ${NR.sched_get_priority_min}:1; grep Seccomp: /proc/self/status`, {
      ...allowBut({ names: ['sched_get_priority_min'], action: 'SCMP_ACT_LOG' }),
      flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC'],
    })
    t.equal(r.stdout, 'ret 1\nSeccomp:\t2\n', r.stderr)
    t.ok(logged() > before, 'an audit line with code=0x7ffc0000 (SECCOMP_RET_LOG) for the call')
  })

  t.test('without noNewPrivileges the filter is installed before the user change; a non-root user runs under it', async t => {
    const r = inside('id -u; grep -E "Seccomp:|NoNewPrivs" /proc/self/status; mkdir /tmp/x', allowBut({ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 28 }), s => {
      s.process.noNewPrivileges = false
      s.process.user = { uid: 1000, gid: 1000 }
    })
    t.equal(r.stdout, '1000\nNoNewPrivs:\t0\nSeccomp:\t2\n')
    t.match(r.stderr, /No space left on device/)
  })

  t.test('exec into a container with seccomp gets the filter too', async t => {
    const id = uniqueId('sc')
    const bundle = shBundle('sleep 60', s => { s.linux.seccomp = allowBut({ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 28 }) })
    t.teardown(() => { runt(['delete', '--force', id]); fs.rmSync(bundle, { recursive: true, force: true }) })
    t.equal(runt(['run', '-d', '-b', bundle, id]).status, 0)
    const r = runt(['exec', id, 'sh', '-c', 'grep Seccomp: /proc/self/status; mkdir /x'])
    t.equal(r.stdout, 'Seccomp:\t2\n')
    t.match(r.stderr, /No space left on device/)
    t.equal(r.status, 1)
  })

  t.test('config errors name the field; nothing is left behind', async t => {
    const id = uniqueId('sc')
    const bundle = shBundle('true', s => {
      s.linux.seccomp = allowBut({ names: ['mkdir'], action: 'SCMP_ACT_KILL', errnoRet: 3 }, { names: ['uname'], action: 'SCMP_ACT_NOTIFY' })
    })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const r = runt(['create', '-b', bundle, id])
    t.equal(r.status, 1)
    t.match(r.stderr, '/linux/seccomp/syscalls/0/errnoRet: SCMP_ACT_KILL takes no errno')
    t.match(r.stderr, '/linux/seccomp/listenerPath: required when an action is SCMP_ACT_NOTIFY')
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line')
    t.equal(runt(['state', id]).status, 1, 'no container')
  })

  t.test('unknown syscall names are skipped, with a debug line', async t => {
    const bundle = shBundle('mkdir /tmp/x', s => {
      s.linux.seccomp = allowBut({ names: ['no_such_syscall', 'mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 28 })
      s.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] })
    })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const r = runt(['--debug', 'run', '-b', bundle, uniqueId('sc')])
    t.equal(r.status, 1)
    t.match(r.stderr, 'seccomp: skipping syscalls unknown to libseccomp: no_such_syscall')
    t.match(r.stderr, /No space left on device/)
  })

  t.test('SCMP_ACT_NOTIFY: the agent at listenerPath gets the listener and the process state, and answers', async t => {
    const agentBin = cc('agent.c', 'agent')
    const states = path.join(work, 'states')
    fs.mkdirSync(states)
    const sock = path.join(work, 'agent.sock')
    const agent = spawn(agentBin, [sock, states, '28', String(NR.mkdir), '258' /* mkdirat */], { stdio: 'ignore' })
    t.teardown(() => { agent.kill('SIGKILL') })
    while (!fs.existsSync(sock)) await new Promise(resolve => setTimeout(resolve, 10))

    const id = uniqueId('sc')
    const bundle = shBundle('sleep 60', s => {
      s.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW', listenerPath: sock, listenerMetadata: 'agent-data',
        flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
        syscalls: [{ names: ['mkdir', 'mkdirat', 'uname'], action: 'SCMP_ACT_NOTIFY' }],
      }
      s.annotations = { who: 'test' }
    })
    t.teardown(() => { runt(['delete', '--force', id]); fs.rmSync(bundle, { recursive: true, force: true }) })
    const created = runt(['create', '-b', bundle, id])
    t.equal(created.status, 0, created.stderr)
    const pid = JSON.parse(runt(['state', id]).stdout).pid
    const state = JSON.parse(fs.readFileSync(path.join(states, 'state-0.json'), 'utf8'))
    const ociVersion = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')).ociVersion
    t.same(state, {
      ociVersion, fds: ['seccompFd'], pid, metadata: 'agent-data',
      state: { ociVersion, id, status: 'creating', pid, bundle, annotations: { who: 'test' } },
    })
    t.equal(runt(['start', id]).status, 0)
    const r = runt(['exec', id, 'sh', '-c', 'uname -s; mkdir /x'])
    t.equal(r.stdout, 'Linux\n', 'uname answered CONTINUE')
    t.match(r.stderr, /No space left on device/, 'mkdir answered ENOSPC by the agent')
    const execState = JSON.parse(fs.readFileSync(path.join(states, 'state-1.json'), 'utf8'))
    t.match(execState, { fds: ['seccompFd'], state: { id, status: 'running', pid } })
    t.not(execState.pid, pid, 'the exec\'d process is the one under the filter')

    const gone = uniqueId('sc')
    const noAgent = shBundle('true', s => { s.linux.seccomp = { ...s.linux.seccomp, defaultAction: 'SCMP_ACT_ALLOW', listenerPath: path.join(work, 'nobody.sock'), syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }] } })
    t.teardown(() => fs.rmSync(noAgent, { recursive: true, force: true }))
    const failed = runt(['create', '-b', noAgent, gone])
    t.equal(failed.status, 1)
    t.match(failed.stderr, /seccomp: cannot hand the listener to .*nobody\.sock: connect: No such file or directory/)
    t.equal(runt(['state', gone]).status, 1, 'the failed create left nothing')
  })
}
