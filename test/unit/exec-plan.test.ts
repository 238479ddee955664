import t from 'tap'
import { buildExecPlan, joinList, mergeEnv, processFromFlags, type ExecProcessFlags } from '../../src/plan/exec-plan'
import { execCgroupDirs, parseSubCgroups } from '../../src/runtime/exec-cgroups'
import { stdioMode } from '../../src/runtime/terminal-mode'
import { UsageError } from '../../src/errors'
import type { Process } from '../../src/spec/types'

const configProcess: Process = {
  terminal: true,
  user: { uid: 0, gid: 0, additionalGids: [10] },
  args: ['sh'],
  env: ['PATH=/bin', 'TERM=xterm'],
  cwd: '/',
  capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] },
  noNewPrivileges: false,
}

const flags = (over: Partial<ExecProcessFlags> = {}): ExecProcessFlags => ({
  args: ['ls', '-l'], env: [], additionalGids: [], caps: [], tty: false, noNewPrivs: false, ...over,
})

t.test("the command replaces args; the rest of config.json's process stays", async t => {
  const p = processFromFlags(configProcess, flags())
  t.same(p.args, ['ls', '-l'])
  t.same(p.env, ['PATH=/bin', 'TERM=xterm'])
  t.equal(p.cwd, '/')
  t.same(p.user, { uid: 0, gid: 0, additionalGids: [10] })
  t.equal(p.terminal, false, 'no terminal without -t, whatever config.json says')
  t.equal(configProcess.args![0], 'sh', 'the config is not changed')
  t.throws(() => processFromFlags(configProcess, flags({ args: [] })), { message: 'process args cannot be empty' })
})

t.test('flags: env, cwd, user, groups, tty, no-new-privs', async t => {
  const p = processFromFlags(configProcess, flags({
    env: ['TERM=dumb', 'FOO=1', 'FOO=2'], cwd: '/tmp', user: '1000:1001', additionalGids: ['5', '6'], tty: true, noNewPrivs: true,
  }))
  t.same(p.env, ['PATH=/bin', 'TERM=dumb', 'FOO=2'], '-e replaces a variable of the same name in place')
  t.equal(p.cwd, '/tmp')
  t.same(p.user, { uid: 1000, gid: 1001, additionalGids: [10, 5, 6] })
  t.equal(p.terminal, true)
  t.equal(p.noNewPrivileges, true)
  t.same(processFromFlags(configProcess, flags({ user: '7' })).user, { uid: 7, gid: 0, additionalGids: [10] }, 'uid alone keeps the gid')
  t.same(processFromFlags(configProcess, flags({ user: ':9' })).user, { uid: 0, gid: 9, additionalGids: [10] }, ':gid keeps the uid')
  t.throws(() => processFromFlags(configProcess, flags({ user: 'root' })), { message: 'parsing root as int for uid failed' })
  t.throws(() => processFromFlags(configProcess, flags({ user: '1:x' })), { message: 'parsing x as int for gid failed' })
  t.throws(() => processFromFlags(configProcess, flags({ additionalGids: ['-1'] })), UsageError)
})

t.test('--cap adds to bounding, effective, permitted; ambient only with an inheritable set', async t => {
  const p = processFromFlags(configProcess, flags({ caps: ['CAP_NET_ADMIN'] }))
  t.same(p.capabilities, {
    bounding: ['CAP_KILL', 'CAP_NET_ADMIN'], effective: ['CAP_KILL', 'CAP_NET_ADMIN'], permitted: ['CAP_KILL', 'CAP_NET_ADMIN'],
  })
  const withInheritable = processFromFlags({ ...configProcess, capabilities: { inheritable: [] } }, flags({ caps: ['CAP_CHOWN'] }))
  t.same(withInheritable.capabilities?.ambient, ['CAP_CHOWN'])
})

t.test('mergeEnv', async t => {
  t.same(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4', 'A=5']), ['A=5', 'B=3', 'C=4'])
  t.same(mergeEnv([], ['X=']), ['X='])
})

t.test('the plan joins every namespace of the container: user first, mount last', async t => {
  const paths = { mount: '/proc/42/ns/mnt', pid: '/proc/42/ns/pid', user: '/proc/42/ns/user', network: '/var/run/netns/n', uts: '/proc/42/ns/uts' }
  const plan = buildExecPlan(paths, processFromFlags(configProcess, flags({ cwd: '/work', env: ['A=b'] })), { preserveFds: 2 })
  t.equal(plan.mode, 'join')
  t.equal(plan.cloneFlags, 0, 'creates no namespace')
  t.same(plan.joinNamespaces.map(n => n.type), ['user', 'pid', 'network', 'uts', 'mount'])
  t.same(plan.joinNamespaces.find(n => n.type === 'network'), { type: 'network', path: '/var/run/netns/n' }, 'a configured path is joined as is')
  t.same(plan.mounts, [])
  t.equal(plan.rootfs, '')
  t.same(plan.args, ['ls', '-l'])
  t.same(plan.env, ['PATH=/bin', 'TERM=xterm', 'A=b'])
  t.equal(plan.cwd, '/work')
  t.equal(plan.additionalGids[0], 10)
  t.equal(plan.capabilities?.bounding, 1n << 5n, 'CAP_KILL is capability 5')
  t.equal(plan.preserveFds, 2)
  t.equal(plan.hookPause, false)
  t.equal(plan.umask, 0o022, "runc's default umask")
  t.same(joinList({}), [], 'a container sharing every host namespace joins none')
  t.throws(() => joinList({ bogus: '/x' }), UsageError)
})

t.test('the plan pauses after the terminal only for a foreground terminal', async t => {
  const tty = processFromFlags(configProcess, flags({ tty: true }))
  t.equal(buildExecPlan({}, tty, { preserveFds: 0, pauseAfterTerminal: true }).hookPause, true)
  t.equal(buildExecPlan({}, tty, { preserveFds: 0 }).hookPause, false)
  t.equal(buildExecPlan({}, processFromFlags(configProcess, flags()), { preserveFds: 0, pauseAfterTerminal: true }).hookPause, false)
  t.equal(buildExecPlan({}, tty, { preserveFds: 0 }).terminal, true)
})

t.test("--cgroup: runc's syntax and refusals", async t => {
  t.same(parseSubCgroups([]), {})
  t.same(parseSubCgroups(['sub']), { '': 'sub' })
  t.same(parseSubCgroups(['memory,pids:a/b', 'cpu:c']), { memory: 'a/b', pids: 'a/b', cpu: 'c' })
  t.throws(() => parseSubCgroups(['a', 'b']), { message: 'invalid --cgroup argument: a (missing <controller>: prefix)' })
  t.throws(() => parseSubCgroups([':x']), { message: 'invalid --cgroup argument: :x (empty <controller> prefix)' })
  t.throws(() => parseSubCgroups(['memory:x', 'memory:y']), { message: 'invalid --cgroup argument(s): controller memory specified multiple times' })
})

t.test('--cgroup picks directories below the container group, never above it', async t => {
  const dirs = { memory: '/sys/fs/cgroup/memory/c1', 'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct/c1', unified: '/sys/fs/cgroup/unified/c1' }
  t.same(execCgroupDirs(dirs, {}), dirs, 'no --cgroup: the container group')
  t.same(execCgroupDirs(dirs, { '': 'sub' }), {
    memory: '/sys/fs/cgroup/memory/c1/sub', 'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct/c1/sub', unified: '/sys/fs/cgroup/unified/c1/sub',
  })
  t.same(execCgroupDirs(dirs, { cpuacct: 'x' }), { ...dirs, 'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct/c1/x' }, 'a controller of a joint hierarchy')
  t.equal(execCgroupDirs(dirs, { memory: '../../escape' }).memory, '/sys/fs/cgroup/memory/c1/escape', '".." stops at the container group')
  t.throws(() => execCgroupDirs(dirs, { rdma: 'x' }), { message: 'invalid --cgroup argument: the container has no cgroup for controller rdma' })
})

t.test("stdio modes: runc's four, and the refused combinations", async t => {
  t.equal(stdioMode(true, '/s', true), 'detached-tty')
  t.equal(stdioMode(true, undefined, false), 'foreground-tty')
  t.equal(stdioMode(false, undefined, true), 'detached-pass')
  t.equal(stdioMode(false, undefined, false), 'foreground-pass')
  t.throws(() => stdioMode(false, '/s', true), { message: /--console-socket .*does not have a terminal/ })
  t.throws(() => stdioMode(true, '/s', false), { message: /--console-socket in the foreground/ })
  t.throws(() => stdioMode(true, undefined, true), { message: /detached process without --console-socket/ })
})
