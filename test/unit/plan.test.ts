import t from 'tap'
import { defaultSpec } from '../../src/spec/default-config'
import { buildPlan, type HostFacts, type PlanOptions } from '../../src/plan/build'
import { encodePlan, PLAN_MAGIC } from '../../src/plan/wire'
import type { LaunchPlan } from '../../src/plan/types'
import type { Spec } from '../../src/spec/types'
import { ConfigError } from '../../src/errors'

// Kernel numbers written out here on purpose, so the test does not trust the
// tables it is checking.
const MS_RDONLY = 0x1, MS_NOSUID = 0x2, MS_NODEV = 0x4, MS_NOEXEC = 0x8
const MS_BIND = 0x1000, MS_REC = 0x4000, MS_PRIVATE = 0x40000, MS_SLAVE = 0x80000, MS_SHARED = 0x100000
const MS_RELATIME = 0x200000, MS_STRICTATIME = 0x1000000
const CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x2000000, CLONE_NEWUTS = 0x4000000, CLONE_NEWIPC = 0x8000000
const CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000, CLONE_NEWNET = 0x40000000, CLONE_NEWTIME = 0x80
const NOSUID_NOEXEC_NODEV = MS_NOSUID | MS_NOEXEC | MS_NODEV

const BUNDLE = '/run/bundles/c1'
const OPTIONS: PlanOptions = { bundle: BUNDLE, noPivot: false, noNewKeyring: false, preserveFds: 0 }

/** What `runt spec` writes: runc 1.5's default config, with a cgroup namespace. */
function runcSpec(): Spec {
  return defaultSpec({ rootless: false })
}

/** HostFacts over a fixed list of host directories and files. */
function facts(over: Partial<HostFacts> = {}, dirs = ['/sys', '/srv/data'], files = ['/etc/hosts']): HostFacts {
  return {
    isDirectory: p => (dirs.includes(p) ? true : files.includes(p) ? false : undefined),
    cgroupLayout: { kind: 'unified' },
    hasProcKcore: true,
    ...over,
  }
}

const V1_LAYOUT: HostFacts['cgroupLayout'] = {
  kind: 'v1',
  hierarchies: [
    { name: 'cpu,cpuacct', hostPath: '/sys/fs/cgroup/cpu,cpuacct/runt/c1' },
    { name: 'memory', hostPath: '/sys/fs/cgroup/memory/process_api/x/c1' },
    { name: 'systemd', hostPath: '/sys/fs/cgroup/systemd/runt/c1' },
  ],
}

function plan(spec: Spec, f: HostFacts = facts(), options: PlanOptions = OPTIONS): LaunchPlan {
  const p = buildPlan(spec, options, f)
  // every plan the builder makes must be encodable for the executor
  const bytes = encodePlan(p)
  if (bytes.subarray(0, PLAN_MAGIC.length).toString('latin1') !== PLAN_MAGIC) throw new Error('bad plan encoding')
  return p
}

const mountsOf = (p: LaunchPlan) => p.mounts.map(m => [m.destination, m.source, m.fstype, m.flags, m.data])

const DEFAULT_MOUNTS_BEFORE_CGROUP = [
  ['/proc', 'proc', 'proc', 0, ''],
  ['/dev', 'tmpfs', 'tmpfs', MS_NOSUID | MS_STRICTATIME, 'mode=755,size=65536k'],
  ['/dev/pts', 'devpts', 'devpts', MS_NOSUID | MS_NOEXEC, 'newinstance,ptmxmode=0666,mode=0620,gid=5'],
  ['/dev/shm', 'shm', 'tmpfs', NOSUID_NOEXEC_NODEV, 'mode=1777,size=65536k'],
  ['/dev/mqueue', 'mqueue', 'mqueue', NOSUID_NOEXEC_NODEV, ''],
  ['/sys', 'sysfs', 'sysfs', NOSUID_NOEXEC_NODEV | MS_RDONLY, ''],
]
const CGROUP_FLAGS = NOSUID_NOEXEC_NODEV | MS_RELATIME | MS_RDONLY

t.test('the runc spec default config: namespaces, root, process', async t => {
  const p = plan(runcSpec(), facts(), { bundle: BUNDLE, noPivot: false, noNewKeyring: true, preserveFds: 2 })
  t.equal(p.mode, 'init')
  t.equal(p.cloneFlags, CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWCGROUP)
  t.same(p.joinNamespaces, [])
  t.same([p.uidMappings, p.gidMappings, p.timeOffsets], [[], [], []])
  t.equal(p.rootfs, '/run/bundles/c1/rootfs')
  t.equal(p.rootPropagation, MS_SLAVE | MS_REC)
  t.equal(p.rootfsPropagation, 0)
  t.equal(p.readonlyRootfs, true)
  t.equal(p.noPivot, false)
  t.equal(p.hostname, 'runt')
  t.equal(p.domainname, null)
  t.same(p.maskedPaths, runcSpec().linux?.maskedPaths)
  t.same(p.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'])
  t.same(p.sysctls, [])
  t.equal(p.hookPause, false)

  t.same(p.args, ['sh'])
  t.same(p.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'])
  t.same([p.cwd, p.uid, p.gid, p.additionalGids, p.umask], ['/', 0, 0, [], 0o022])
  t.same(p.rlimits, [{ resource: 7, soft: 1024n, hard: 1024n }])
  const three = (1n << 29n) | (1n << 5n) | (1n << 10n)
  t.same(p.capabilities, { bounding: three, effective: three, permitted: three, inheritable: 0n, ambient: 0n })
  t.same([p.noNewPrivileges, p.oomScoreAdj, p.terminal, p.consoleSize], [true, null, true, null])
  t.same([p.preserveFds, p.newKeyring], [2, false])
})

t.test('the runc spec default config: mounts on a cgroup v2 host', async t => {
  const p = plan(runcSpec())
  t.same(mountsOf(p), [...DEFAULT_MOUNTS_BEFORE_CGROUP, ['/sys/fs/cgroup', 'cgroup', 'cgroup2', CGROUP_FLAGS, '']])
  for (const m of p.mounts) {
    t.same([m.propagation, m.recAttrSet, m.recAttrClr, m.createAs], [[], 0, 0, 'dir'], m.destination)
  }
  t.same(p.symlinks.map(l => l.linkPath), ['/dev/fd', '/dev/stdin', '/dev/stdout', '/dev/stderr', '/dev/ptmx', '/dev/core'])
})

t.test('the runc spec default config: /sys/fs/cgroup on a cgroup v1 host', async t => {
  const p = plan(runcSpec(), facts({ cgroupLayout: V1_LAYOUT }))
  const bind = MS_BIND | MS_REC | CGROUP_FLAGS
  t.same(mountsOf(p), [
    ...DEFAULT_MOUNTS_BEFORE_CGROUP,
    ['/sys/fs/cgroup', 'tmpfs', 'tmpfs', NOSUID_NOEXEC_NODEV, 'mode=755'],
    ['/sys/fs/cgroup/cpu,cpuacct', '/sys/fs/cgroup/cpu,cpuacct/runt/c1', 'bind', bind, ''],
    ['/sys/fs/cgroup/memory', '/sys/fs/cgroup/memory/process_api/x/c1', 'bind', bind, ''],
    ['/sys/fs/cgroup/systemd', '/sys/fs/cgroup/systemd/runt/c1', 'bind', bind, ''],
  ])
  t.same(p.symlinks.slice(0, 2), [
    { target: 'cpu,cpuacct', linkPath: '/sys/fs/cgroup/cpu' },
    { target: 'cpu,cpuacct', linkPath: '/sys/fs/cgroup/cpuacct' },
  ])
  t.equal(p.symlinks.length, 2 + 6, 'the cgroup links, then the /dev links')
})

t.test('a cgroup mount keeps its propagation options on v1 and v2', async t => {
  const spec = runcSpec()
  spec.mounts = [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['rprivate', 'nosuid', 'rw'] }]
  const v2 = plan(spec).mounts
  t.same(v2.map(m => [m.fstype, m.flags, m.propagation]), [['cgroup2', MS_NOSUID, [MS_PRIVATE | MS_REC]]])
  const v1 = plan(spec, facts({ cgroupLayout: V1_LAYOUT })).mounts
  t.same(v1.map(m => [m.fstype, m.flags, m.propagation]), [
    ['tmpfs', MS_NOSUID, [MS_PRIVATE | MS_REC]],
    ['bind', MS_BIND | MS_REC | MS_NOSUID, [MS_PRIVATE | MS_REC]],
    ['bind', MS_BIND | MS_REC | MS_NOSUID, [MS_PRIVATE | MS_REC]],
    ['bind', MS_BIND | MS_REC | MS_NOSUID, [MS_PRIVATE | MS_REC]],
  ])
})

t.test('the default devices, and /dev/core only where the host has /proc/kcore', async t => {
  const p = plan(runcSpec(), facts({ hasProcKcore: false }))
  t.same(p.devices.map(d => [d.path, d.type, d.major, d.minor, d.fileMode, d.uid, d.gid, d.bindFromHost]), [
    ['/dev/null', 'c', 1, 3, 0o666, 0, 0, false],
    ['/dev/zero', 'c', 1, 5, 0o666, 0, 0, false],
    ['/dev/full', 'c', 1, 7, 0o666, 0, 0, false],
    ['/dev/random', 'c', 1, 8, 0o666, 0, 0, false],
    ['/dev/urandom', 'c', 1, 9, 0o666, 0, 0, false],
    ['/dev/tty', 'c', 5, 0, 0o666, 0, 0, false],
  ])
  t.same(p.symlinks, [
    { target: '/proc/self/fd', linkPath: '/dev/fd' },
    { target: '/proc/self/fd/0', linkPath: '/dev/stdin' },
    { target: '/proc/self/fd/1', linkPath: '/dev/stdout' },
    { target: '/proc/self/fd/2', linkPath: '/dev/stderr' },
    { target: 'pts/ptmx', linkPath: '/dev/ptmx' },
  ])
})

t.test('linux.devices: defaults, overrides, types and modes', async t => {
  const spec = runcSpec()
  spec.linux!.devices = [
    { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o600, uid: 5, gid: 6 },
    { path: '/dev/fuse', type: 'c', major: 10, minor: 229 },
    { path: '/dev/sda', type: 'b', major: 8, minor: 0, fileMode: 0o60660 },
    { path: '/dev/kmsg', type: 'u', major: 1, minor: 11 },
    { path: '/dev/myfifo', type: 'p' },
  ]
  const p = plan(spec)
  t.same(p.devices.map(d => d.path), [
    '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty',
    '/dev/null', '/dev/fuse', '/dev/sda', '/dev/kmsg', '/dev/myfifo',
  ], 'a configured /dev/null replaces the default one')
  const byPath = new Map(p.devices.map(d => [d.path, d]))
  t.same(byPath.get('/dev/null'), { path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o600, uid: 5, gid: 6, bindFromHost: false })
  t.same(byPath.get('/dev/fuse'), { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o666, uid: 0, gid: 0, bindFromHost: false })
  t.equal(byPath.get('/dev/sda')?.fileMode, 0o660, 'file type bits are dropped from fileMode')
  t.equal(byPath.get('/dev/kmsg')?.type, 'c', 'u is an (unbuffered) character device')
  t.same([byPath.get('/dev/myfifo')?.type, byPath.get('/dev/myfifo')?.major], ['p', 0])

  spec.linux!.devices = [{ path: '/dev/x', type: 'c' }]
  t.throws(() => plan(spec), new ConfigError(['/linux/devices/0 (/dev/x): a "c" device needs major and minor numbers']))
  spec.linux!.devices = [{ path: '/dev/x', type: 'z', major: 1, minor: 1 }]
  t.throws(() => plan(spec), ConfigError)
})

t.test('a /dev bind-mounted from the host is left alone: no nodes, no links', async t => {
  const spec = runcSpec()
  spec.mounts = [{ destination: '/dev', source: '/dev', options: ['rbind'] }]
  spec.linux!.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }]
  const p = plan(spec, facts({}, ['/dev']))
  t.same([p.devices, p.symlinks], [[], []])
})

t.test('a new user namespace: maps copied, device nodes bound from the host', async t => {
  const spec = runcSpec()
  spec.linux!.namespaces!.push({ type: 'user' })
  spec.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
  spec.linux!.gidMappings = [{ containerID: 0, hostID: 200000, size: 1000 }]
  spec.linux!.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }]
  const p = plan(spec)
  t.equal(p.cloneFlags & CLONE_NEWUSER, CLONE_NEWUSER)
  t.same(p.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }])
  t.same(p.gidMappings, [{ containerID: 0, hostID: 200000, size: 1000 }])
  t.equal(p.devices.length, 7)
  t.ok(p.devices.every(d => d.bindFromHost), 'every node is a bind of the host node')
})

t.test('a joined user namespace: no maps to write, still no mknod', async t => {
  const spec = runcSpec()
  spec.linux!.namespaces!.push({ type: 'user', path: '/proc/42/ns/user' })
  spec.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
  const p = plan(spec)
  t.equal(p.cloneFlags & CLONE_NEWUSER, 0)
  t.same(p.uidMappings, [])
  t.ok(p.devices.every(d => d.bindFromHost))
})

t.test('namespaces joined by path: user first, mount last', async t => {
  const spec = runcSpec()
  spec.linux!.namespaces = [
    { type: 'mount', path: '/proc/9/ns/mnt' },
    { type: 'network', path: '/var/run/netns/n1' },
    { type: 'pid' },
    { type: 'time', path: '/proc/9/ns/time' },
    { type: 'uts', path: '/proc/9/ns/uts' },
    { type: 'user', path: '/proc/9/ns/user' },
    { type: 'ipc' },
  ]
  const p = plan(spec)
  t.equal(p.cloneFlags, CLONE_NEWPID | CLONE_NEWIPC)
  t.same(p.joinNamespaces, [
    { type: 'user', path: '/proc/9/ns/user' },
    { type: 'uts', path: '/proc/9/ns/uts' },
    { type: 'network', path: '/var/run/netns/n1' },
    { type: 'time', path: '/proc/9/ns/time' },
    { type: 'mount', path: '/proc/9/ns/mnt' },
  ])
})

t.test('time offsets only with a new time namespace', async t => {
  const spec = runcSpec()
  spec.linux!.timeOffsets = { boottime: { secs: -5, nanosecs: 7 }, monotonic: { secs: 3600 } }
  t.same(plan(spec).timeOffsets, [], 'no time namespace')
  spec.linux!.namespaces!.push({ type: 'time' })
  const p = plan(spec)
  t.equal(p.cloneFlags & CLONE_NEWTIME, CLONE_NEWTIME)
  t.same(p.timeOffsets, [
    { clock: 'monotonic', secs: 3600n, nanosecs: 0 },
    { clock: 'boottime', secs: -5n, nanosecs: 7 },
  ])
})

t.test('relative paths: root and bind sources against the bundle, destinations against /', async t => {
  const spec = runcSpec()
  spec.root = { path: '../shared/rootfs' }
  spec.mounts = [
    { destination: 'data', source: 'volumes/data', options: ['bind'] },
    { destination: '/etc/hosts', source: '/etc/hosts', type: 'bind', options: ['ro'] },
    { destination: '/srv/../mnt/', source: '/srv/data', options: ['rbind'] },
    { destination: 'tmp', source: 'tmpfs', type: 'tmpfs' },
  ]
  const p = plan(spec, facts({}, ['/run/bundles/c1/volumes/data', '/srv/data']))
  t.equal(p.rootfs, '/run/bundles/shared/rootfs')
  t.equal(p.readonlyRootfs, false)
  t.same(p.mounts.map(m => [m.destination, m.source, m.fstype, m.flags, m.createAs]), [
    ['/data', '/run/bundles/c1/volumes/data', 'bind', MS_BIND, 'dir'],
    ['/etc/hosts', '/etc/hosts', 'bind', MS_BIND | MS_RDONLY, 'file'],
    ['/mnt', '/srv/data', 'bind', MS_BIND | MS_REC, 'dir'],
    ['/tmp', 'tmpfs', 'tmpfs', 0, 'dir'],
  ])
})

t.test('a bind mount without a source, or with NUL bytes, is a config error', async t => {
  const spec = runcSpec()
  spec.mounts = [{ destination: '/x', options: ['bind'] }]
  t.throws(() => plan(spec), new ConfigError(['/mounts/0 (/x): a bind mount needs a source']))
  spec.mounts = [{ destination: '/x', type: 'tmpfs', source: 'tmpfs', options: ['size=1\0'] }]
  t.throws(() => plan(spec), ConfigError)
})

t.test('idmapped binds carry their own mappings, or the container\'s; recursion only with ridmap', async t => {
  const spec = runcSpec()
  const own = [{ containerID: 1000, hostID: 0, size: 1 }]
  spec.mounts = [
    { destination: '/a', source: '/srv/data', options: ['rbind', 'idmap'], uidMappings: own, gidMappings: own },
    { destination: '/b', source: '/srv/data', options: ['rbind', 'ridmap'], uidMappings: own, gidMappings: own },
    { destination: '/c', source: '/srv/data', options: ['bind'], uidMappings: own, gidMappings: own },
  ]
  const p = plan(spec)
  t.same(p.mounts.map(m => [m.destination, m.idmap]), [
    ['/a', { recursive: false, uidMappings: own, gidMappings: own }],
    ['/b', { recursive: true, uidMappings: own, gidMappings: own }],
    ['/c', { recursive: false, uidMappings: own, gidMappings: own }],
  ], 'mappings alone still idmap the mount')
  const bytes = encodePlan(p)
  t.ok(bytes.includes(Buffer.from('1000 0 1\n\0')), 'the maps travel as uid_map text')

  const userns = runcSpec()
  const container = [{ containerID: 0, hostID: 100000, size: 65536 }]
  userns.linux!.namespaces!.push({ type: 'user' })
  userns.linux!.uidMappings = container
  userns.linux!.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }]
  userns.mounts = [{ destination: '/d', source: '/srv/data', options: ['rbind', 'idmap'] }]
  t.same(plan(userns).mounts[0]!.idmap, { recursive: false, uidMappings: container, gidMappings: [{ containerID: 0, hostID: 200000, size: 65536 }] },
    'without mappings of its own: the container\'s user namespace mappings')
})

t.test('idmapped mounts that cannot be made are config errors naming the mount', async t => {
  const spec = runcSpec()
  const m = [{ containerID: 0, hostID: 1, size: 1 }]
  const cases: [object, string][] = [
    [{ destination: '/data', source: '/srv/data', options: ['rbind', 'idmap'] },
      '/mounts/1: "idmap" needs the mount\'s uidMappings and gidMappings, or a new user namespace with mappings (/linux/uidMappings)'],
    [{ destination: '/data', source: '/srv/data', options: ['rbind', 'ridmap'], uidMappings: m },
      '/mounts/1/gidMappings: required with uidMappings, and not empty'],
    [{ destination: '/data', source: '/srv/data', options: ['rbind'], gidMappings: m },
      '/mounts/1/uidMappings: required with gidMappings, and not empty'],
    [{ destination: '/data', source: 'tmpfs', type: 'tmpfs', options: ['idmap'], uidMappings: m, gidMappings: m },
      '/mounts/1: "idmap" applies to bind mounts only (type is "tmpfs")'],
  ]
  for (const [mount, message] of cases) {
    spec.mounts = [{ destination: '/proc', type: 'proc', source: 'proc' }, mount as any]
    t.throws(() => plan(spec), new ConfigError([message]))
  }
})

t.test('tmpcopyup marks a tmpfs for copying up; on anything else it is refused', async t => {
  const spec = runcSpec()
  spec.mounts = [{ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'nosuid'] }]
  const m = plan(spec).mounts[0]!
  t.same([m.tmpcopyup, m.flags, m.data], [true, MS_NOSUID, ''])
  spec.mounts = [{ destination: '/data', source: '/srv/data', options: ['rbind', 'tmpcopyup'] }]
  t.throws(() => plan(spec), new ConfigError(['/mounts/0 (/data): "tmpcopyup" applies to tmpfs mounts only (type is "")']))
})

t.test('a missing bind source is refused before anything runs', async t => {
  const spec = runcSpec()
  spec.mounts = [{ destination: '/data', source: '/no/such/dir', options: ['rbind'] }]
  t.throws(() => plan(spec), { name: 'ConfigError', message: '/mounts/0 (/data): bind source "/no/such/dir" does not exist' })
})

t.test('netDevices: host name to container name, in a network namespace only, names checked', async t => {
  const spec = runcSpec()
  spec.linux!.netDevices = { 'veth-a': {}, 'veth-b': { name: 'eth%d' }, 'veth-c': { name: 'eth0' } }
  t.same(plan(spec).netDevices, [
    { hostName: 'veth-a', name: 'veth-a' }, { hostName: 'veth-b', name: 'eth%d' }, { hostName: 'veth-c', name: 'eth0' },
  ])
  t.same(plan(runcSpec()).netDevices, [], 'none asked, none moved')
  spec.linux!.netDevices = { 'a/b': {}, x: { name: 'a-name-that-is-too-long' }, y: { name: 'eth0' }, z: { name: 'eth0' }, w: { name: 'e%s' } }
  t.throws(() => plan(spec), new ConfigError([
    '/linux/netDevices/a~1b: "a/b" contains "/", ":" or white space',
    '/linux/netDevices/x/name: "a-name-that-is-too-long" is longer than 15 bytes',
    '/linux/netDevices/z: "eth0" is also the container name of "y"',
    '/linux/netDevices/w/name: "e%s" has a "%" other than one "%d"',
  ]))
  spec.linux!.netDevices = { eth9: {} }
  spec.linux!.namespaces = spec.linux!.namespaces!.filter(ns => ns.type !== 'network')
  t.throws(() => plan(spec), new ConfigError([
    '/linux/netDevices: moving network devices needs a network namespace (add {"type": "network"} to /linux/namespaces)',
  ]))
})

t.test('hostname or domainname need a UTS namespace of their own', async t => {
  const spec = runcSpec()
  spec.linux!.namespaces = spec.linux!.namespaces!.filter(ns => ns.type !== 'uts')
  t.throws(() => plan(spec), {
    name: 'ConfigError',
    message: '/hostname: cannot set the hostname without a private UTS namespace ' +
      '(add {"type": "uts"} to /linux/namespaces; runc refuses this too)',
  })
  delete spec.hostname
  spec.domainname = 'example.org'
  t.throws(() => plan(spec), { name: 'ConfigError', message: /^\/domainname: cannot set the domainname without a private UTS namespace/ })
  delete spec.domainname
  t.equal(plan(spec).hostname, null, 'no hostname, no UTS namespace: fine')

  spec.hostname = 'pod'
  spec.linux!.namespaces!.push({ type: 'uts', path: '/proc/9/ns/uts' })
  t.equal(plan(spec).hostname, 'pod', 'a joined UTS namespace is the container\'s own (as runc)')
})

t.test('process: required, defaults and details', async t => {
  const spec = runcSpec()
  delete spec.process
  t.throws(() => plan(spec), new ConfigError(['/process: required to create a container']))

  spec.process = { cwd: '', args: ['/bin/true'] }
  let p = plan(spec)
  t.same([p.cwd, p.uid, p.gid, p.umask, p.env, p.terminal, p.noNewPrivileges], ['/', 0, 0, 0o022, [], false, false])
  t.same(p.capabilities, { bounding: 0n, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n },
    'no capabilities object: no capabilities at all')
  t.same(p.rlimits, [])

  spec.process = {
    cwd: '/work',
    args: ['app'],
    user: { uid: 1000, gid: 100, umask: 0o077, additionalGids: [10, 20] },
    oomScoreAdj: -500,
    consoleSize: { height: 24, width: 80 },
    capabilities: { ambient: ['CAP_CHECKPOINT_RESTORE'], inheritable: ['CAP_CHOWN', 'CAP_NOT_A_CAP'] },
    rlimits: [
      { type: 'RLIMIT_CORE', soft: 0, hard: 18446744073709551615 },
      { type: 'RLIMIT_NPROC', soft: 100, hard: 200 },
    ],
  }
  p = plan(spec)
  t.same([p.cwd, p.uid, p.gid, p.umask, p.additionalGids], ['/work', 1000, 100, 0o077, [10, 20]])
  t.same([p.oomScoreAdj, p.consoleSize], [-500, { height: 24, width: 80 }])
  t.same(p.capabilities, { bounding: 0n, effective: 0n, permitted: 0n, inheritable: 1n, ambient: 1n << 40n })
  t.same(p.rlimits, [
    { resource: 4, soft: 0n, hard: 0xffffffffffffffffn },
    { resource: 6, soft: 100n, hard: 200n },
  ], 'an unlimited value (rounded up by JSON) stays RLIM_INFINITY')

  spec.process.rlimits = [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }]
  t.throws(() => plan(spec), new ConfigError(['/process/rlimits/0/type: unknown rlimit "RLIMIT_BOGUS"']))
})

t.test('root propagation', async t => {
  const spec = runcSpec()
  spec.linux!.rootfsPropagation = 'shared'
  let p = plan(spec)
  t.same([p.rootPropagation, p.rootfsPropagation], [MS_SHARED | MS_REC, MS_SHARED | MS_REC], 'shared is re-applied after pivot_root')
  spec.linux!.rootfsPropagation = 'private'
  p = plan(spec)
  t.same([p.rootPropagation, p.rootfsPropagation], [MS_PRIVATE | MS_REC, 0])
  spec.linux!.rootfsPropagation = 'slave'
  t.same(plan(spec).rootPropagation, MS_SLAVE | MS_REC)
  spec.linux!.rootfsPropagation = 'private'
  t.throws(() => plan(spec, facts(), { ...OPTIONS, noPivot: true }), {
    name: 'ConfigError', message: /rootfsPropagation: "private" is not safe without pivot_root/,
  })
  spec.linux!.rootfsPropagation = 'slave'
  t.equal(plan(spec, facts(), { ...OPTIONS, noPivot: true }).noPivot, true)
})

t.test('sysctls sorted by key; hooks that need the pause', async t => {
  const spec = runcSpec()
  spec.linux!.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.msgmax': '8192', 'fs.mqueue.msg_max': '20' }
  t.same(plan(spec).sysctls, [
    { key: 'fs.mqueue.msg_max', value: '20' },
    { key: 'kernel.msgmax', value: '8192' },
    { key: 'net.ipv4.ip_forward', value: '1' },
  ])
  spec.hooks = { poststart: [{ path: '/bin/true' }], prestart: [] }
  t.equal(plan(spec).hookPause, false, 'poststart and empty lists do not pause')
  for (const kind of ['prestart', 'createRuntime', 'createContainer', 'startContainer'] as const) {
    spec.hooks = { [kind]: [{ path: '/bin/true' }] }
    t.equal(plan(spec).hookPause, true, kind)
  }
})

t.test('createContainer and startContainer hooks go to the init in config order; the runtime keeps the others', async t => {
  const spec = runcSpec()
  spec.hooks = {
    prestart: [{ path: '/bin/pre' }],
    startContainer: [{ path: '/bin/ldconfig' }],
    createContainer: [
      { path: '/usr/bin/mount-hook', args: ['mount-hook', '-x'], env: ['A=1', 'NOEQUALS', '=x'], timeout: 5 },
      { path: '/usr/bin/second', args: [], timeout: 0 },
    ],
  }
  t.same(plan(spec).containerHooks, [
    { phase: 'createContainer', path: '/usr/bin/mount-hook', args: ['mount-hook', '-x'], env: ['A=1'], timeout: 5 },
    { phase: 'createContainer', path: '/usr/bin/second', args: ['/usr/bin/second'], env: [], timeout: 0 },
    { phase: 'startContainer', path: '/bin/ldconfig', args: ['/bin/ldconfig'], env: [], timeout: 0 },
  ], 'argv defaults to the path, env entries without a name are dropped, no timeout is 0')
  spec.hooks = { prestart: [{ path: '/bin/pre' }] }
  t.same(plan(spec).containerHooks, [])
})

t.test('runc spec --rootless: /sys bound from the host in a user namespace', async t => {
  const spec = runcSpec()
  spec.linux!.namespaces = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'cgroup' }, { type: 'user' }]
  spec.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]
  spec.linux!.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]
  spec.mounts = spec.mounts!.map(m =>
    m.destination === '/sys'
      ? { source: '/sys', destination: '/sys', type: 'none', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : { ...m, options: m.options?.filter(o => !o.startsWith('gid=')) })
  const p = plan(spec)
  t.same(p.mounts.find(m => m.destination === '/sys'), {
    destination: '/sys', source: '/sys', fstype: 'bind', flags: MS_BIND | MS_REC | NOSUID_NOEXEC_NODEV | MS_RDONLY,
    propagation: [], data: '', recAttrSet: 0, recAttrClr: 0, createAs: 'dir', tmpcopyup: false, idmap: null,
  })
  t.equal(p.mounts.find(m => m.destination === '/dev/pts')?.data, 'newinstance,ptmxmode=0666,mode=0620')
  t.equal(p.cloneFlags, CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUSER)
})
