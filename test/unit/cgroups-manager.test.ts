import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'

type Tap = { teardown(fn: () => void): void }
import type { CgroupLayout, Hierarchy } from '../../src/cgroups/detect'
import { FakeCgroupKernel } from '../../src/cgroups/fake-host'
import { deviceFilterProgram, encodeProgram } from '../../src/cgroups/device-filter'
import { cgroupManager, type CgroupManager, type CgroupManagerOptions } from '../../src/cgroups/manager'
import { frozenByRecord } from '../../src/cgroups/freezer'
import { RuntError, SystemError } from '../../src/errors'

const SIGKILL = 9
const SIGTERM = 15
const RUNTIME_PID = 4242

interface Fake {
  root: string
  kernel: FakeCgroupKernel
  layout: CgroupLayout
  /** absolute path of a group in a hierarchy */
  at(key: string, group: string): string
  exists(key: string, group: string): boolean
  file(key: string, group: string, name: string): string
}

/** rootFiles: interface files to place in a hierarchy's root group (v1 children copy them) */
function fakeTree(t: Tap, mode: CgroupLayout['mode'], hierarchies: Omit<Hierarchy, 'mountpoint'>[], rootFiles: Record<string, Record<string, string>> = {}): Fake {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-cgroups-'))
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }))
  const kernel = new FakeCgroupKernel(root)
  const layout: CgroupLayout = { mode, hierarchies: hierarchies.map(h => ({ ...h, mountpoint: path.join(root, h.key) })) }
  for (const h of layout.hierarchies) {
    fs.mkdirSync(h.mountpoint)
    fs.writeFileSync(path.join(h.mountpoint, 'cgroup.procs'), '1\n')
    if (h.version === 2) {
      fs.writeFileSync(path.join(h.mountpoint, 'cgroup.controllers'), h.controllers.join(' ') + '\n')
      fs.writeFileSync(path.join(h.mountpoint, 'cgroup.subtree_control'), '\n')
    }
    if (h.controllers.includes('cpuset')) {
      fs.writeFileSync(path.join(h.mountpoint, 'cpuset.cpus'), '0-1\n')
      fs.writeFileSync(path.join(h.mountpoint, 'cpuset.mems'), '0\n')
    }
    if (h.controllers.includes('freezer')) fs.writeFileSync(path.join(h.mountpoint, 'freezer.state'), 'THAWED\n')
    for (const [name, text] of Object.entries(rootFiles[h.key] ?? {})) fs.writeFileSync(path.join(h.mountpoint, name), text)
    // the runtime's own cgroup, with the runtime in it
    let dir = h.mountpoint
    for (const name of h.ownCgroup.split('/').filter(Boolean)) kernel.mkdir((dir = path.join(dir, name)))
    if (h.ownCgroup !== '/') fs.writeFileSync(path.join(dir, 'cgroup.procs'), `${RUNTIME_PID}\n`)
  }
  const at = (key: string, group: string) => path.join(root, key, group)
  return {
    root, kernel, layout, at,
    exists: (key, group) => fs.existsSync(at(key, group)),
    file: (key, group, name) => fs.readFileSync(path.join(at(key, group), name), 'utf8').trim(),
  }
}

const v1 = (key: string, ownCgroup = '/'): Omit<Hierarchy, 'mountpoint'> =>
  ({ version: 1, key, controllers: key === 'systemd' ? ['name=systemd'] : key.split(','), ownCgroup })
const UNLIMITED = '9223372036854771712\n'
const hybridTree = (t: Tap) => fakeTree(t, 'hybrid', [
  v1('cpu,cpuacct'), v1('cpuset'), v1('freezer'), v1('memory', '/process_api/X'), v1('systemd'),
  { version: 2, key: 'unified', controllers: ['hugetlb'], ownCgroup: '/' },
], {
  'cpu,cpuacct': { 'cpu.shares': '1024\n' },
  memory: { 'memory.limit_in_bytes': UNLIMITED, 'memory.soft_limit_in_bytes': UNLIMITED },
})
const legacyTree = (t: Tap) => fakeTree(t, 'legacy', [v1('freezer'), v1('memory', '/process_api/X'), v1('pids')])
const unifiedTree = (t: Tap, controllers = ['cpu', 'memory', 'pids']) =>
  fakeTree(t, 'unified', [{ version: 2, key: 'unified', controllers, ownCgroup: '/user.slice/shell.scope' }])

/** A manager whose groups exist, with these pids joined. */
function running(f: Fake, pids: number[], opts: CgroupManagerOptions = { id: 'c1' }): CgroupManager {
  const m = cgroupManager(opts, f.layout, f.kernel)
  m.create()
  for (const pid of pids) m.join(pid)
  return m
}

const writesTo = (f: Fake, name: string) =>
  f.kernel.writes.filter(w => path.basename(w.file) === name).map(w => [path.relative(f.root, path.dirname(w.file)), w.value])

t.test('v1/hybrid create: the container group in every hierarchy, below the runtime\'s own cgroup', async t => {
  const f = hybridTree(t)
  const m = cgroupManager({ id: 'c1' }, f.layout, f.kernel)
  t.same(m.paths(), {
    'cpu,cpuacct': f.at('cpu,cpuacct', 'c1'), cpuset: f.at('cpuset', 'c1'), freezer: f.at('freezer', 'c1'),
    memory: f.at('memory', 'process_api/X/c1'), systemd: f.at('systemd', 'c1'), unified: f.at('unified', 'c1'),
  })
  m.create()
  for (const dir of Object.values(m.paths())) t.ok(fs.statSync(dir).isDirectory(), `${dir} exists`)
  t.same(m.createdDirs().sort(), Object.values(m.paths()).sort(), 'it made exactly the six leaf groups')
  t.same([f.file('cpuset', 'c1', 'cpuset.cpus'), f.file('cpuset', 'c1', 'cpuset.mems')], ['0-1', '0'], 'cpuset copied from the parent')
  t.same(writesTo(f, 'cgroup.subtree_control'), [], 'a hybrid host\'s cgroup2 group is joined only')
})

t.test('create with an absolute path makes only the missing levels, and fills every empty cpuset level', async t => {
  const f = hybridTree(t)
  f.kernel.mkdir(f.at('cpuset', 'runt')) // exists already, cpus/mems still empty
  f.kernel.mkdir(f.at('memory', 'runt'))
  const m = cgroupManager({ id: 'c1', cgroupsPath: '/runt/pod/c1' }, f.layout, f.kernel)
  const planned = m.missingDirs()
  m.create()
  t.same(planned.sort(), m.createdDirs().sort(), 'missingDirs() named beforehand exactly what create() made')
  t.same(m.missingDirs(), [], 'nothing is missing afterwards')
  t.same(m.createdDirs().filter(d => d.includes('/memory/')), [f.at('memory', 'runt/pod'), f.at('memory', 'runt/pod/c1')])
  t.ok(m.createdDirs().includes(f.at('systemd', 'runt')))
  t.notOk(m.createdDirs().includes(f.at('cpuset', 'runt')), 'a pre-existing directory is not claimed')
  t.same(['runt', 'runt/pod', 'runt/pod/c1'].map(g => f.file('cpuset', g, 'cpuset.cpus')), ['0-1', '0-1', '0-1'])
})

t.test('join writes the pid to cgroup.procs of every hierarchy; pids lists the group and its descendants', async t => {
  const f = hybridTree(t)
  const m = running(f, [300])
  t.same(writesTo(f, 'cgroup.procs').sort(), [
    ['cpu,cpuacct/c1', '300'], ['cpuset/c1', '300'], ['freezer/c1', '300'],
    ['memory/process_api/X/c1', '300'], ['systemd/c1', '300'], ['unified/c1', '300'],
  ])
  f.kernel.mkdir(f.at('unified', 'c1/sub'))
  f.kernel.write(path.join(f.at('unified', 'c1/sub'), 'cgroup.procs'), '310')
  f.kernel.write(path.join(f.at('unified', 'c1'), 'cgroup.procs'), '299')
  t.same(m.pids(), [299, 300, 310])
})

t.test('join into a group that is missing fails naming the file', async t => {
  const f = legacyTree(t)
  const m = cgroupManager({ id: 'c1' }, f.layout, f.kernel)
  t.throws(() => m.join(5), { code: 'ENOENT', path: path.join(f.at('freezer', 'c1'), 'cgroup.procs') })
})

t.test('killAll(SIGKILL) with a cgroup2 group: one write to cgroup.kill, no per-pid signal loop', async t => {
  const f = hybridTree(t)
  const m = running(f, [300])
  m.killAll(SIGKILL)
  t.same(writesTo(f, 'cgroup.kill'), [['unified/c1', '1']])
  t.same(m.pids(), [])
  t.same(writesTo(f, 'cgroup.freeze'), [])
})

t.test('killAll(SIGTERM) on a hybrid host: the v1 freezer (what pause uses) brackets the signals', async t => {
  const f = hybridTree(t)
  const m = running(f, [300, 301])
  const before = f.kernel.writes.length
  m.killAll(SIGTERM)
  t.same(f.kernel.writes.slice(before).map(w => [path.basename(w.file), w.value]), [['freezer.state', 'FROZEN'], ['freezer.state', 'THAWED']])
  t.same(f.kernel.signals, [{ pid: 300, signal: SIGTERM }, { pid: 301, signal: SIGTERM }])
  t.same(m.pids(), [300, 301], 'SIGTERM does not empty the group by itself')
})

t.test('killAll(SIGTERM) on a unified host: cgroup.freeze brackets the signals', async t => {
  const f = unifiedTree(t)
  const m = running(f, [300])
  const before = f.kernel.writes.length
  m.killAll(SIGTERM)
  t.same(f.kernel.writes.slice(before).map(w => [path.basename(w.file), w.value]), [['cgroup.freeze', '1'], ['cgroup.freeze', '0']])
})

t.test('killAll on v1 only: the freezer controller brackets the signals', async t => {
  const f = legacyTree(t)
  const m = running(f, [300])
  m.killAll(SIGKILL)
  t.same(writesTo(f, 'freezer.state'), [['freezer/c1', 'FROZEN'], ['freezer/c1', 'THAWED']])
  t.same(f.kernel.signals, [{ pid: 300, signal: SIGKILL }])
})

t.test('killAll on an empty or removed group does nothing and does not fail', async t => {
  const f = legacyTree(t)
  const m = running(f, [])
  m.killAll(SIGKILL)
  m.destroy()
  m.killAll(SIGKILL)
  t.same([f.kernel.signals, writesTo(f, 'freezer.state')], [[], []])
})

t.test('killAll on a paused v1 container keeps it paused for SIGTERM, thaws it for SIGKILL', async t => {
  const f = legacyTree(t)
  const m = running(f, [300])
  f.kernel.write(path.join(f.at('freezer', 'c1'), 'freezer.state'), 'FROZEN')
  m.killAll(SIGTERM)
  t.equal(f.file('freezer', 'c1', 'freezer.state'), 'FROZEN')
  m.killAll(SIGKILL)
  t.equal(f.file('freezer', 'c1', 'freezer.state'), 'THAWED')
})

t.test('destroy removes what create made, deepest first, and nothing else', async t => {
  const f = hybridTree(t)
  f.kernel.mkdir(f.at('memory', 'process_api/X/pod'))
  const m = cgroupManager({ id: 'c1', cgroupsPath: 'pod/c1' }, f.layout, f.kernel)
  m.create()
  m.destroy()
  t.notOk(f.exists('memory', 'process_api/X/pod/c1'))
  t.ok(f.exists('memory', 'process_api/X/pod'), 'the pre-existing parent stays')
  t.ok(f.exists('memory', 'process_api/X'), 'the runtime\'s own cgroup stays')
  for (const key of ['cpu,cpuacct', 'cpuset', 'freezer', 'systemd', 'unified']) t.notOk(f.exists(key, 'pod'), `${key}/pod removed`)
  t.same(m.createdDirs(), [])
})

t.test('destroy kills stragglers and removes groups the container made below its own', async t => {
  const f = legacyTree(t)
  const m = running(f, [300])
  f.kernel.mkdir(f.at('pids', 'c1/inner'))
  f.kernel.write(path.join(f.at('pids', 'c1/inner'), 'cgroup.procs'), '301')
  m.destroy()
  t.same(f.kernel.signals.map(s => s.signal), f.kernel.signals.map(() => SIGKILL))
  t.same([...new Set(f.kernel.signals.map(s => s.pid))].sort(), [300, 301])
  for (const key of ['freezer', 'pids']) t.notOk(f.exists(key, 'c1'), `${key}/c1 removed`)
  t.notOk(f.exists('memory', 'process_api/X/c1'))
})

t.test('destroy gives up after a bounded number of attempts with an EBUSY SystemError', async t => {
  const f = legacyTree(t)
  const m = running(f, [300])
  f.kernel.stubborn.set(300, 1000)
  const dir = f.at('freezer', 'c1')
  t.throws(() => m.destroy(), new SystemError(`container c1: cgroup ${dir} still busy after 30 attempts to remove it: EBUSY`, { id: 'c1', path: dir, errno: 'EBUSY' }))
  t.equal(f.kernel.sleeps, 30)
  t.ok(m.createdDirs().includes(dir), 'what could not be removed is still listed')
})

t.test('a group above the container\'s that another container now uses is left alone', async t => {
  const f = legacyTree(t)
  const a = cgroupManager({ id: 'a', cgroupsPath: '/shared/a' }, f.layout, f.kernel)
  a.create()
  const b = cgroupManager({ id: 'b', cgroupsPath: '/shared/b' }, f.layout, f.kernel)
  b.create()
  b.join(500)
  a.destroy()
  t.notOk(f.exists('pids', 'shared/a'))
  t.ok(f.exists('pids', 'shared/b'), 'the other container\'s group stays')
  t.same(f.kernel.signals, [], 'its processes are not touched')
  t.same(a.createdDirs().sort(), ['freezer', 'memory', 'pids'].map(k => f.at(k, 'shared')))
})

t.test('a manager rebuilt from stored paths and createdDirs destroys exactly those', async t => {
  const f = hybridTree(t)
  const m = cgroupManager({ id: 'c1' }, f.layout, f.kernel)
  m.create()
  const stored = JSON.parse(JSON.stringify({ paths: m.paths(), created: m.createdDirs() }))
  // another process, in another cgroup of its own
  const later: CgroupLayout = { ...f.layout, hierarchies: f.layout.hierarchies.map(h => ({ ...h, ownCgroup: '/elsewhere' })) }
  const again = cgroupManager({ id: 'c1', ...stored }, later, f.kernel)
  t.same(again.paths(), m.paths())
  again.destroy()
  for (const dir of Object.values(stored.paths) as string[]) t.notOk(fs.existsSync(dir), `${dir} removed`)
})

t.test('stored directories outside every hierarchy are refused', async t => {
  const f = legacyTree(t)
  t.throws(() => cgroupManager({ id: 'c1', created: ['/etc'] }, f.layout, f.kernel),
    new RuntError('container c1: stored cgroup directory /etc is not inside any cgroup hierarchy', { id: 'c1', path: '/etc' }))
  t.throws(() => cgroupManager({ id: 'c1', paths: { pids: f.root } }, f.layout, f.kernel), RuntError)
})

t.test('a failed create leaves nothing behind', async t => {
  const f = legacyTree(t)
  fs.rmSync(f.at('pids', ''), { recursive: true }) // the pids hierarchy vanished
  const m = cgroupManager({ id: 'c1' }, f.layout, f.kernel)
  t.throws(() => m.create(), { code: 'ENOENT' })
  t.notOk(f.exists('freezer', 'c1'))
  t.notOk(f.exists('memory', 'process_api/X/c1'))
  t.same(m.createdDirs(), [])
})

t.test('unified create: controllers handed down along the path, never at the leaf', async t => {
  const f = unifiedTree(t)
  fs.writeFileSync(path.join(f.at('unified', ''), 'cgroup.subtree_control'), 'memory\n')
  const m = cgroupManager({ id: 'c1', cgroupsPath: '/runt/pod/c1' }, f.layout, f.kernel)
  m.create()
  t.same(writesTo(f, 'cgroup.subtree_control'), [['unified', '+cpu +pids'], ['unified/runt', '+cpu +memory +pids'], ['unified/runt/pod', '+cpu +memory +pids']])
  t.equal(f.kernel.read(path.join(f.at('unified', 'runt/pod/c1'), 'cgroup.controllers'))?.trim(), 'cpu memory pids', 'the container gets every controller')
  t.same(m.createdDirs(), ['runt', 'runt/pod', 'runt/pod/c1'].map(g => f.at('unified', g)))
})

t.test('unified, no cgroupsPath: next to the runtime\'s own cgroup, which holds processes and is not written', async t => {
  const f = unifiedTree(t)
  const m = cgroupManager({ id: 'c1' }, f.layout, f.kernel)
  m.create()
  t.same(m.paths(), { unified: f.at('unified', 'user.slice/c1') })
  t.same(writesTo(f, 'cgroup.subtree_control'), [['unified', '+cpu +memory +pids'], ['unified/user.slice', '+cpu +memory +pids']])
})

t.test('unified: a populated group above the container keeps its subtree_control (no-internal-processes rule)', async t => {
  const f = unifiedTree(t)
  const m = cgroupManager({ id: 'c1', cgroupsPath: '/user.slice/shell.scope/c1' }, f.layout, f.kernel)
  m.create()
  t.same(writesTo(f, 'cgroup.subtree_control').map(w => w[0]), ['unified', 'unified/user.slice'])
  t.ok(f.exists('unified', 'user.slice/shell.scope/c1'), 'the container group is made anyway')
  t.equal(f.kernel.read(path.join(f.at('unified', 'user.slice/shell.scope/c1'), 'cgroup.controllers'))?.trim(), '')
})

t.test('unified: a refused controller does not keep the others from being enabled', async t => {
  const f = unifiedTree(t, ['cpuset', 'memory', 'pids'])
  f.kernel.refused.add('cpuset')
  const m = cgroupManager({ id: 'c1', cgroupsPath: '/c1' }, f.layout, f.kernel)
  m.create()
  t.equal(f.file('unified', '', 'cgroup.subtree_control'), 'memory pids')
})

t.test('unified destroy removes the created path and leaves the root', async t => {
  const f = unifiedTree(t)
  const m = running(f, [300], { id: 'c1', cgroupsPath: '/runt/c1' })
  m.destroy()
  t.notOk(f.exists('unified', 'runt'))
  t.ok(f.exists('unified', 'user.slice/shell.scope'))
  t.same(writesTo(f, 'cgroup.kill'), [['unified/runt/c1', '1']], 'the straggler is killed through cgroup.kill')
})

t.test('apply on v1: each write in the hierarchy of its controller', async t => {
  const f = hybridTree(t)
  const m = running(f, [])
  m.apply({ memory: { limit: 1 << 30, reservation: 1 << 29 }, cpu: { shares: 512, cpus: '1' } })
  t.same(f.file('memory', 'process_api/X/c1', 'memory.limit_in_bytes'), String(1 << 30))
  t.same(f.file('memory', 'process_api/X/c1', 'memory.soft_limit_in_bytes'), String(1 << 29))
  t.same(f.file('cpu,cpuacct', 'c1', 'cpu.shares'), '512')
  t.same(f.file('cpuset', 'c1', 'cpuset.cpus'), '1')
  t.throws(() => m.apply({ memory: { limit: 2 ** 30, swap: 2 ** 31 } }), { name: 'SystemError', errno: 'ENOENT', message: /refused memory\.memsw\.limit_in_bytes = 2147483648: ENOENT/ }, 'this kernel accounts no swap: memsw is missing')
})

t.test('apply on v1: a setting whose controller is not mounted is a SystemError', async t => {
  const f = hybridTree(t)
  const m = running(f, [])
  t.throws(() => m.apply({ pids: { limit: 10 } }),
    new SystemError('container c1: linux.resources.pids: needs the pids cgroup controller, which is not mounted on this host', { id: 'c1' }))
})

t.test('apply on v1: unlimited memory skips the swap file where swap is not accounted', async t => {
  const f = hybridTree(t)
  const m = running(f, [])
  m.apply({ memory: { limit: -1 } })
  t.same(writesTo(f, 'memory.limit_in_bytes'), [['memory/process_api/X/c1', '-1']])
  t.same(writesTo(f, 'memory.memsw.limit_in_bytes'), [])
})

t.test('apply on unified: the writes land in the container group', async t => {
  const f = unifiedTree(t)
  const m = running(f, [], { id: 'c1', cgroupsPath: '/c1' })
  m.apply({ memory: { limit: 1 << 30 }, cpu: { shares: 1024, quota: 50000, period: 100000 }, pids: { limit: 64 } })
  t.same([f.file('unified', 'c1', 'memory.max'), f.file('unified', 'c1', 'cpu.weight'), f.file('unified', 'c1', 'cpu.max'), f.file('unified', 'c1', 'pids.max')],
    [String(1 << 30), '39', '50000 100000', '64'])
})

t.test('apply on unified: a controller the parent does not hand down is named in the error', async t => {
  const f = unifiedTree(t)
  const m = running(f, [], { id: 'c1', cgroupsPath: '/user.slice/shell.scope/c1' }) // below a populated group
  const dir = f.at('unified', 'user.slice/shell.scope/c1')
  t.throws(() => m.apply({ pids: { limit: 64 } }),
    new SystemError(`container c1: linux.resources.pids: needs the pids controller, which cgroup ${dir} is not given (the host lacks it or a parent does not delegate it)`, { id: 'c1', path: dir }))
})

t.test('freeze/thaw/isFrozen: v1 freezer.state on hybrid, cgroup.freeze on unified', async t => {
  const h = hybridTree(t)
  const m = running(h, [300])
  t.equal(m.isFrozen(), false)
  m.freeze()
  t.equal(h.file('freezer', 'c1', 'freezer.state'), 'FROZEN')
  t.equal(m.isFrozen(), true)
  m.thaw()
  t.equal(h.file('freezer', 'c1', 'freezer.state'), 'THAWED')
  t.equal(m.isFrozen(), false)

  const u = unifiedTree(t)
  const n = running(u, [300])
  n.freeze()
  t.equal(u.file('unified', 'user.slice/c1', 'cgroup.freeze'), '1')
  t.equal(n.isFrozen(), true)
  n.thaw()
  t.equal(n.isFrozen(), false)
})

t.test('frozenByRecord reads the freezer the manager uses from the recorded paths, and the layout only where they cannot tell', async t => {
  const noLayout = () => { throw new Error('the layout was read') }
  for (const [name, f] of [['hybrid', hybridTree(t)], ['unified', unifiedTree(t)]] as const) {
    const m = running(f, [300])
    t.equal(frozenByRecord(m.paths(), f.kernel, noLayout), false, `${name}: thawed, from the recorded paths alone`)
    m.freeze()
    t.equal(frozenByRecord(m.paths(), f.kernel, noLayout), true, `${name}: frozen, as isFrozen says`)
    t.equal(m.isFrozen(), true)
    m.thaw()
    t.equal(frozenByRecord(m.paths(), f.kernel, noLayout), false, `${name}: thawed again`)
  }
  const none = fakeTree(t, 'legacy', [v1('memory'), v1('pids')])
  t.equal(frozenByRecord(running(none, [300]).paths(), none.kernel, () => none.layout), false, 'no freezer mounted: never paused')
  t.equal(frozenByRecord({}, none.kernel, noLayout), false, 'no cgroups at all (rootless without any): never paused, nothing read')
  // the freezer hierarchy mounted under another name: only the layout says which group it is
  const odd = fakeTree(t, 'legacy', [v1('memory'), { version: 1, key: 'fz', controllers: ['freezer'], ownCgroup: '/' }])
  const m = running(odd, [300])
  m.freeze()
  t.equal(frozenByRecord(m.paths(), odd.kernel, () => odd.layout), true, 'a freezer under another name, found through the layout')
  t.throws(() => frozenByRecord(m.paths(), odd.kernel, noLayout), /the layout was read/, 'the layout is read only then')
})

t.test('freeze that never reads FROZEN: rewritten, then thawed and a SystemError', async t => {
  const f = legacyTree(t)
  const m = running(f, [300])
  const realWrite = f.kernel.write.bind(f.kernel)
  // a task stuck in D state: the kernel answers FREEZING for ever
  f.kernel.write = (file: string, value: string) => realWrite(file, value === 'FROZEN' ? 'FREEZING' : value)
  t.throws(() => m.freeze(), { name: 'SystemError', message: /c1: cgroup did not freeze .*left thawed/ })
  const states = writesTo(f, 'freezer.state').map(w => w[1])
  t.ok(states.filter(v => v === 'FREEZING').length > 1, 'FROZEN was written more than once')
  t.equal(states.at(-1), 'THAWED')
  t.equal(m.isFrozen(), false)
})

t.test('freeze without any freezer is a SystemError', async t => {
  const f = fakeTree(t, 'legacy', [v1('memory'), v1('pids')])
  const m = running(f, [300])
  t.throws(() => m.freeze(), { name: 'SystemError', message: /no freezer/ })
  t.equal(m.isFrozen(), false)
})

t.test('apply on v1: device rules go to devices.deny/allow in order, then the default nodes', async t => {
  const f = fakeTree(t, 'legacy', [v1('devices'), v1('freezer')], { devices: { 'devices.allow': '', 'devices.deny': '' } })
  const m = running(f, [])
  m.apply({ devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' }, { allow: false, type: 'c', major: 1, minor: 3 }] })
  const writes = f.kernel.writes.filter(w => /devices\.(allow|deny)$/.test(w.file)).map(w => `${path.basename(w.file)} ${w.value}`)
  t.same(writes.slice(0, 5), ['devices.deny a', 'devices.allow c 10:229 rw', 'devices.deny c 1:3 rwm', 'devices.allow c *:* m', 'devices.allow b *:* m'])
  t.ok(writes.includes('devices.allow c 136:* rwm'), 'pts/* allowed')
  t.equal(writes.length, 3 + 10)
})

t.test('apply with skipDevices (update) writes no device rule', async t => {
  const f = fakeTree(t, 'legacy', [v1('devices'), v1('pids')], { devices: { 'devices.allow': '', 'devices.deny': '' }, pids: { 'pids.max': 'max\n' } })
  const m = running(f, [])
  m.apply({ devices: [{ allow: false, access: 'rwm' }], pids: { limit: 7 } }, { skipDevices: true })
  t.same(f.kernel.writes.filter(w => /devices|pids/.test(path.basename(w.file))).map(w => path.basename(w.file)), ['pids.max'])
})

t.test('apply on unified: device rules become one device filter on the container group, after the writes', async t => {
  const f = unifiedTree(t)
  const m = running(f, [])
  const rules = [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 200, access: 'rw' }]
  m.apply({ devices: rules, pids: { limit: 5 } })
  t.same(f.kernel.filters.map(x => path.relative(f.root, x.dir)), ['unified/user.slice/c1'])
  t.same(f.kernel.filters[0].program, encodeProgram(deviceFilterProgram(rules)), 'the compiled rules plus the default devices')
  t.equal(f.file('unified', 'user.slice/c1', 'pids.max'), '5')
  m.apply({ pids: { limit: 6 } })
  t.equal(f.kernel.filters.length, 1, 'no device rules: no filter')
  m.apply({ devices: rules, pids: { limit: 7 } }, { skipDevices: true })
  t.equal(f.kernel.filters.length, 1, 'update (skipDevices) leaves the filter alone')
})

t.test('apply on unified: a bad device rule is refused before anything is written; a refused attach names the group', async t => {
  const f = unifiedTree(t)
  const m = running(f, [])
  const before = f.kernel.writes.length
  t.throws(() => m.apply({ devices: [{ allow: true, access: 'rwx' }], pids: { limit: 5 } }), { name: 'ConfigError', message: /linux\.resources\.devices\[0\]\.access: "rwx"/ })
  t.equal(f.kernel.writes.length, before)
  t.equal(f.kernel.filters.length, 0)
  f.kernel.attachDeviceFilter = () => { throw Object.assign(new Error('bpf(BPF_PROG_ATTACH): Operation not permitted (/x)'), { code: 'EPERM' }) }
  t.throws(() => m.apply({ devices: [{ allow: false }] }), { name: 'SystemError', errno: 'EPERM', message: /^container c1: linux\.resources\.devices: attaching the device filter to cgroup .*user\.slice\/c1: bpf\(BPF_PROG_ATTACH\): Operation not permitted/ })
})

t.test('oomKills reads the oom_kill counter of memory.oom_control (v1) and memory.events (v2)', async t => {
  const f = legacyTree(t)
  const m = running(f, [])
  t.equal(m.oomKills(), 0)
  fs.writeFileSync(path.join(f.at('memory', 'process_api/X/c1'), 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n')
  t.equal(m.oomKills(), 3)
  const u = unifiedTree(t)
  const n = running(u, [])
  fs.writeFileSync(path.join(u.at('unified', 'user.slice/c1'), 'memory.events'), 'low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\n')
  t.equal(n.oomKills(), 2)
})

t.test('apply on hybrid: hugetlb only in the cgroup2 mount is handed down there and written in v2 form', async t => {
  const f = hybridTree(t)
  const m = running(f, [300], { id: 'c1', cgroupsPath: '/runt/c1' })
  t.same(writesTo(f, 'cgroup.subtree_control'), [], 'nothing handed down before a resource needs it')
  m.apply({ hugepageLimits: [{ pageSize: '2MB', limit: 4 << 20 }], memory: { limit: 1 << 30 } })
  t.same(writesTo(f, 'cgroup.subtree_control'), [['unified', '+hugetlb'], ['unified/runt', '+hugetlb']])
  t.equal(f.file('unified', 'runt/c1', 'hugetlb.2MB.max'), String(4 << 20))
  t.equal(f.file('unified', 'runt/c1', 'hugetlb.2MB.rsvd.max'), String(4 << 20))
  t.equal(f.file('memory', 'runt/c1', 'memory.limit_in_bytes'), String(1 << 30))
  t.throws(() => m.apply({ hugepageLimits: [{ pageSize: '16GB', limit: 1 }] }), { name: 'ConfigError', message: /^linux\.resources\.hugepageLimits\[0\]\.pageSize: "16GB"/ })
  m.destroy()
  t.notOk(f.exists('unified', 'runt'), 'the groups it made are gone')
})

t.test('apply on hybrid: unified keys go to the cgroup2 group; a controller it lacks or a missing file names the key', async t => {
  const f = hybridTree(t)
  const m = running(f, [])
  m.apply({ unified: { 'hugetlb.1GB.max': '0' } })
  t.equal(f.file('unified', 'c1', 'hugetlb.1GB.max'), '0')
  t.throws(() => m.apply({ unified: { 'memory.high': '1G' } }), { name: 'SystemError', message: /linux\.resources\.unified\["memory\.high"\]: needs the memory controller/ })
  t.throws(() => m.apply({ unified: { 'hugetlb.2MB.nonsense': '1' } }), { name: 'SystemError', errno: 'ENOENT', message: /linux\.resources\.unified\["hugetlb\.2MB\.nonsense"\]: cgroup .* has no file hugetlb\.2MB\.nonsense/ })
})

t.test('apply on v1: network and rdma without their controllers name the field', async t => {
  const f = hybridTree(t)
  const m = running(f, [])
  const before = f.kernel.writes.length
  t.throws(() => m.apply({ network: { classID: 1 } }), { message: 'container c1: linux.resources.network.classID: needs the net_cls cgroup controller, which is not mounted on this host' })
  t.throws(() => m.apply({ network: { priorities: [{ name: 'lo', priority: 1 }] } }), { message: /linux\.resources\.network\.priorities: needs the net_prio cgroup controller/ })
  t.throws(() => m.apply({ rdma: { mlx5_0: { hcaHandles: 1 } } }), { message: /linux\.resources\.rdma: needs the rdma cgroup controller/ })
  t.equal(f.kernel.writes.length, before, 'nothing written')
})

t.test('apply on unified: io, hugetlb, rdma and unified keys in the container group; unified last', async t => {
  const f = unifiedTree(t, ['cpu', 'io', 'memory', 'pids', 'hugetlb', 'rdma'])
  const m = running(f, [], { id: 'c1', cgroupsPath: '/c1' })
  m.apply({
    blockIO: { weight: 1000, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1024 }] },
    hugepageLimits: [{ pageSize: '2MB', limit: 2 << 20 }],
    rdma: { mlx5_0: { hcaHandles: 2 } },
    pids: { limit: 10 },
    unified: { 'pids.max': '20' },
  })
  t.same(writesTo(f, 'io.weight'), [['unified/c1', '10000']])
  t.same(writesTo(f, 'io.max'), [['unified/c1', '8:0 rbps=1024']])
  t.equal(f.file('unified', 'c1', 'hugetlb.2MB.max'), String(2 << 20))
  t.equal(f.file('unified', 'c1', 'rdma.max'), 'mlx5_0 hca_handle=2')
  t.same(writesTo(f, 'pids.max'), [['unified/c1', '10'], ['unified/c1', '20']], 'the unified key wins')
})

t.test('apply on unified: memory.checkBeforeUpdate compares with memory.current', async t => {
  const f = unifiedTree(t)
  const m = running(f, [], { id: 'c1', cgroupsPath: '/c1' })
  fs.writeFileSync(path.join(f.at('unified', 'c1'), 'memory.current'), `${8 << 20}\n`)
  t.throws(() => m.apply({ memory: { limit: 4 << 20, checkBeforeUpdate: true } }), { name: 'ConfigError', message: /memory usage 8388608/ })
  t.same(writesTo(f, 'memory.max'), [])
  m.apply({ memory: { limit: 16 << 20, checkBeforeUpdate: true } })
  t.equal(f.file('unified', 'c1', 'memory.max'), String(16 << 20))
})

/** The fake kernel, refusing mkdir (EACCES, as to an unprivileged user) below the given hierarchies. */
function forbidding(f: Fake, keys: string[]): FakeCgroupKernel {
  const denied = (dir: string) => keys.some(k => dir.startsWith(path.join(f.root, k) + '/'))
  return new Proxy(f.kernel, {
    get(target, prop, receiver) {
      if (prop === 'mkdir') {
        return (dir: string) => {
          if (denied(dir)) throw new SystemError(`creating cgroup ${dir}: EACCES (${dir})`, { path: dir, errno: 'EACCES' })
          return target.mkdir(dir)
        }
      }
      const value = Reflect.get(target, prop, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

t.test('rootless: a hierarchy the runtime may not use is skipped; a limit that needs it is runc\'s error', async t => {
  const f = hybridTree(t)
  const m = cgroupManager({ id: 'c1', rootless: true }, f.layout, forbidding(f, ['cpu,cpuacct', 'memory', 'unified']))
  m.create()
  t.same(Object.keys(m.paths()).sort(), ['cpuset', 'freezer', 'systemd'], 'the permitted ones stay')
  m.join(77)
  t.equal(f.file('freezer', 'c1', 'cgroup.procs'), '77')
  t.throws(() => m.apply({ memory: { limit: 1 << 26 } }), { message: 'cannot set memory limit: container could not join or create cgroup (not permitted to an unprivileged runtime)' })
  t.throws(() => m.apply({ hugepageLimits: [{ pageSize: '2MB', limit: 1 << 21 }] }), { message: /^cannot set hugetlb limit: container could not join or create cgroup/ }, 'hugetlb lives in the skipped cgroup2 mount')
  t.doesNotThrow(() => m.apply({ devices: [{ allow: false, access: 'rwm' }] }), 'device rules are skipped')
  m.destroy()
  t.notOk(f.exists('freezer', 'c1'))
})

t.test('rootless with an explicit cgroupsPath, or not rootless: the permission error stands', async t => {
  const f = hybridTree(t)
  t.throws(() => cgroupManager({ id: 'c1', rootless: true, cgroupsPath: '/mine' }, f.layout, forbidding(f, ['memory'])).create(), { message: /EACCES/ })
  t.throws(() => cgroupManager({ id: 'c2' }, f.layout, forbidding(f, ['memory'])).create(), { message: /EACCES/ })
  t.notOk(f.exists('freezer', 'c2'), 'a failed create leaves nothing')
})

t.test('rootless on a unified host with no group at all: no limits, and a limit is an error', async t => {
  const f = unifiedTree(t)
  const m = cgroupManager({ id: 'c1', rootless: true }, f.layout, forbidding(f, ['unified']))
  m.create()
  t.same(m.paths(), {})
  t.doesNotThrow(() => m.apply({}))
  t.throws(() => m.apply({ pids: { limit: 10 } }), { message: /^cannot set pids limit: container could not join or create cgroup/ })
})
