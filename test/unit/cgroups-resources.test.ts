import t from 'tap'
import { blkioWeightToIoWeight } from '../../src/cgroups/blkio'
import { hugePageSizeName } from '../../src/cgroups/hugetlb'
import { cpuSharesToWeight, refuseUnapplied, resourceWarnings, resourceWrites, v1ResourceWrites, v2ResourceWrites, type CgroupWrite } from '../../src/cgroups/resources'
import { ConfigError } from '../../src/errors'
import { deviceRuleText, v1DeviceWrites } from '../../src/cgroups/devices'

const G = 1024 ** 3
const files = (ws: CgroupWrite[]) => ws.map(w => `${w.file}=${w.value}${w.ifExists ? '?' : ''}`)

t.test('nothing asked, nothing written', async t => {
  t.same(v1ResourceWrites({}), [])
  t.same(v2ResourceWrites({ memory: {}, cpu: {} }), [])
  t.same(v2ResourceWrites({ devices: [{ allow: false, access: 'rwm' }] }), [], 'v2 devices are a BPF filter (device-filter.ts), not a file write')
})

t.test('v1 memory: limit before swap in a fresh group, every setting in its file', async t => {
  const ws = v1ResourceWrites({ memory: { limit: G, swap: 2 * G, reservation: G / 2, swappiness: 10, disableOOMKiller: true } })
  t.same(files(ws), [
    `memory.limit_in_bytes=${G}`,
    `memory.memsw.limit_in_bytes=${2 * G}`,
    `memory.soft_limit_in_bytes=${G / 2}`,
    'memory.oom_control=1',
    'memory.swappiness=10',
  ])
  t.ok(ws.every(w => w.controller === 'memory'))
})

t.test('v1 memory: raising both above the current limit writes swap first', async t => {
  t.same(files(v1ResourceWrites({ memory: { limit: 2 * G, swap: 3 * G } }, { memoryLimit: G })),
    [`memory.memsw.limit_in_bytes=${3 * G}`, `memory.limit_in_bytes=${2 * G}`])
  t.same(files(v1ResourceWrites({ memory: { limit: G, swap: -1 } })), ['memory.memsw.limit_in_bytes=-1', `memory.limit_in_bytes=${G}`])
})

t.test('v1 memory: unlimited memory without swap also lifts swap, where swap is accounted', async t => {
  t.same(files(v1ResourceWrites({ memory: { limit: -1 } })), ['memory.memsw.limit_in_bytes=-1?', 'memory.limit_in_bytes=-1'])
})

t.test('v1 memory: swappiness out of range is a ConfigError, -1 means unset', async t => {
  t.throws(() => v1ResourceWrites({ memory: { swappiness: 101 } }),
    new ConfigError(['linux.resources.memory.swappiness: 101 is out of range 0-100']))
  t.same(v1ResourceWrites({ memory: { swappiness: -1 } }), [])
  t.same(files(v1ResourceWrites({ memory: { swappiness: 0 } })), ['memory.swappiness=0'])
})

t.test('v1 cpu and cpuset', async t => {
  const ws = v1ResourceWrites({ cpu: { shares: 512, period: 100000, quota: 50000, cpus: '0-1', mems: '0' } })
  t.same(ws.map(w => [w.controller, w.file, w.value]), [
    ['cpu', 'cpu.shares', '512'],
    ['cpu', 'cpu.cfs_period_us', '100000'],
    ['cpu', 'cpu.cfs_quota_us', '50000'],
    ['cpuset', 'cpuset.cpus', '0-1'],
    ['cpuset', 'cpuset.mems', '0'],
  ])
  t.same(files(v1ResourceWrites({ cpu: { quota: -1 } })), ['cpu.cfs_quota_us=-1'])
})

t.test('pids: a number, max for negative, and 0 kept as the spec asks', async t => {
  for (const writes of [v1ResourceWrites, v2ResourceWrites]) {
    t.same(files(writes({ pids: { limit: 100 } })), ['pids.max=100'])
    t.same(files(writes({ pids: { limit: -1 } })), ['pids.max=max'])
    t.same(files(writes({ pids: { limit: 0 } })), ['pids.max=0'])
  }
})

t.test('cpuSharesToWeight: runc\'s linear mapping of 2..262144 onto 1..10000', async t => {
  t.equal(cpuSharesToWeight(0), 0, '0 stays unset')
  t.equal(cpuSharesToWeight(2), 1)
  t.equal(cpuSharesToWeight(1024), 39)
  t.equal(cpuSharesToWeight(262144), 10000)
})

t.test('v2 memory: swap is memory+swap in the spec, swap alone in memory.swap.max', async t => {
  t.same(files(v2ResourceWrites({ memory: { limit: G, swap: 3 * G, reservation: G / 2 } })),
    [`memory.swap.max=${2 * G}`, `memory.max=${G}`, `memory.low=${G / 2}`])
  t.same(files(v2ResourceWrites({ memory: { limit: G, swap: G } })), ['memory.swap.max=0?', `memory.max=${G}`], 'swap equal to memory: no swap')
  t.same(files(v2ResourceWrites({ memory: { limit: -1 } })), ['memory.swap.max=max?', 'memory.max=max'])
  t.same(files(v2ResourceWrites({ memory: { limit: G } })), [`memory.max=${G}`])
})

t.test('v2 memory: swappiness and disableOOMKiller have no v2 file and are left out', async t => {
  t.same(v2ResourceWrites({ memory: { swappiness: 10, disableOOMKiller: true } }), [])
})

t.test('v2 memory: impossible swap settings are ConfigErrors', async t => {
  t.throws(() => v2ResourceWrites({ memory: { swap: G } }),
    new ConfigError(['linux.resources.memory.swap: a swap limit needs a memory limit on cgroup v2']))
  t.throws(() => v2ResourceWrites({ memory: { limit: 2 * G, swap: G } }),
    new ConfigError([`linux.resources.memory.swap (${G}) must not be below memory.limit (${2 * G})`]))
})

t.test('v2 cpu: weight from shares, quota and period in cpu.max, cpuset files', async t => {
  t.same(files(v2ResourceWrites({ cpu: { shares: 1024, quota: 50000, period: 100000, cpus: '1', mems: '0' } })),
    ['cpu.weight=39', 'cpu.max=50000 100000', 'cpuset.cpus=1', 'cpuset.mems=0'])
  t.same(files(v2ResourceWrites({ cpu: { quota: 20000 } })), ['cpu.max=20000'])
  t.same(files(v2ResourceWrites({ cpu: { quota: -1, period: 100000 } })), ['cpu.max=max 100000'])
  t.same(v2ResourceWrites({ cpu: { cpus: '1' } }).map(w => w.controller), ['cpuset'])
})

t.test('v1 cpu: burst, realtime (period before runtime) and idle in their files', async t => {
  t.same(files(v1ResourceWrites({ cpu: { burst: 1000, realtimePeriod: 1_000_000, realtimeRuntime: 5000, idle: 1 } })),
    ['cpu.cfs_burst_us=1000', 'cpu.rt_period_us=1000000', 'cpu.rt_runtime_us=5000', 'cpu.idle=1'])
  t.same(files(v2ResourceWrites({ cpu: { burst: 1000, idle: 0 } })), ['cpu.max.burst=1000', 'cpu.idle=0'])
})

t.test('v1 blockIO throttles: one "major:minor rate" write per device in its file', async t => {
  const ws = v1ResourceWrites({ blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }], throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 100 }] } })
  t.same(files(ws), ['blkio.throttle.read_bps_device=8:0 1048576', 'blkio.throttle.write_iops_device=8:16 100'])
  t.ok(ws.every(w => w.controller === 'blkio'))
})

t.test('device rules as the v1 kernel reads them', async t => {
  t.equal(deviceRuleText({ allow: false, access: 'rwm' }, 0), 'a')
  t.equal(deviceRuleText({ allow: true, type: 'a' }, 0), 'a')
  t.equal(deviceRuleText({ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }, 0), 'c 1:3 rwm')
  t.equal(deviceRuleText({ allow: true, type: 'b', major: 8 }, 0), 'b 8:* rwm', 'a missing minor is a wildcard, missing access is rwm')
  t.equal(deviceRuleText({ allow: true, type: 'c', major: -1, minor: -1, access: 'm' }, 0), 'c *:* m', '-1 is a wildcard')
  t.throws(() => deviceRuleText({ allow: true, type: 'x' }, 2), { message: /devices\[2\]\.type: "x"/ })
  t.throws(() => deviceRuleText({ allow: true, type: 'c', access: 'rx' }, 1), { message: /devices\[1\]\.access: "rx"/ })
  t.throws(() => deviceRuleText({ allow: false, type: 'a', access: 'r' }, 0), { message: /devices\[0\]: .*rwm on cgroup v1/ })
})

t.test('v1 devices: the config\'s rules in order, then runc\'s default nodes', async t => {
  const ws = v1DeviceWrites([{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' }])
  const text = ws.map(w => `${w.file} ${w.value}`)
  t.same(text.slice(0, 2), ['devices.deny a', 'devices.allow c 10:200 rwm'])
  for (const rule of ['c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:5 rwm', 'c 1:7 rwm', 'c 1:8 rwm', 'c 1:9 rwm', 'c 5:0 rwm', 'c 5:2 rwm', 'c 136:* rwm']) {
    t.ok(text.includes(`devices.allow ${rule}`), rule)
  }
  t.same(files(v1ResourceWrites({})), [], 'no device rules, no device writes')
})

t.test('refuseUnapplied: what a host cannot take is named, in one ConfigError', async t => {
  const v2Only = {
    blockIO: { leafWeight: 500, weightDevice: [{ major: 8, minor: 0, weight: 100, leafWeight: 50 }] },
    network: { classID: 1 },
    memory: { useHierarchy: false },
    cpu: { realtimeRuntime: 10 },
  }
  const err = t.throws(() => refuseUnapplied(v2Only, 'unified')) as ConfigError
  t.same(err.problems.map(p => p.split(':')[0]), [
    'linux.resources.blockIO.leafWeight', 'linux.resources.blockIO.weightDevice[0].leafWeight',
    'linux.resources.network', 'linux.resources.memory.useHierarchy', 'linux.resources.cpu.realtimeRuntime',
  ])
  t.doesNotThrow(() => refuseUnapplied(v2Only, 'hybrid'), 'v1 and hybrid hosts have all of these')
  t.doesNotThrow(() => refuseUnapplied({ devices: [{ allow: false }] }, 'unified'), 'devices on v2: the device filter')
  t.throws(() => refuseUnapplied({ unified: { 'memory.high': '1G' } }, 'legacy'), { message: /^linux\.resources\.unified: .*only cgroup v1/ })
  t.doesNotThrow(() => refuseUnapplied({ unified: { 'hugetlb.2MB.max': '0' } }, 'hybrid'), 'a hybrid host writes unified keys to its cgroup2 mount')
})

t.test('refuseUnapplied: empty and zero values are not requests, and v1 takes devices and throttles', async t => {
  t.doesNotThrow(() => refuseUnapplied({ blockIO: {}, hugepageLimits: [], network: {}, rdma: {}, unified: {}, memory: { kernel: 0 }, devices: [] }, 'unified'))
  t.doesNotThrow(() => refuseUnapplied({ blockIO: {}, hugepageLimits: [], network: {}, rdma: {}, unified: {}, memory: { kernel: 0 } }, 'legacy'))
  t.doesNotThrow(() => refuseUnapplied({ devices: [{ allow: false }], blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 }] }, cpu: { realtimeRuntime: 10 } }, 'legacy'))
})

t.test('kernel memory is ignored with a warning, as runc 1.2+ does', async t => {
  t.same(resourceWarnings({ memory: { kernel: 1 << 20, kernelTCP: -1 } }), [
    'linux.resources.memory.kernel is ignored: kernel memory limits are deprecated in the runtime-spec',
    'linux.resources.memory.kernelTCP is ignored: kernel memory limits are deprecated in the runtime-spec',
  ])
  t.same(resourceWarnings({ memory: { kernel: 0 } }), [])
  t.same(v1ResourceWrites({ memory: { kernel: 1 << 20, kernelTCP: 1 << 20 } }), [], 'nothing written on v1')
  t.same(v2ResourceWrites({ memory: { kernel: 1 << 20 } }), [], 'nor on v2')
})

t.test('memory.useHierarchy on v1; checkBeforeUpdate on v2 refuses a limit not above the usage', async t => {
  t.same(files(v1ResourceWrites({ memory: { useHierarchy: true } })), ['memory.use_hierarchy=1'])
  t.same(files(v1ResourceWrites({ memory: { useHierarchy: false } })), ['memory.use_hierarchy=0'])
  t.throws(() => v2ResourceWrites({ memory: { limit: G, checkBeforeUpdate: true } }, { memoryUsage: G }),
    new ConfigError([`linux.resources.memory.limit: ${G} is not above the current memory usage ${G} (memory.checkBeforeUpdate is set)`]))
  t.same(files(v2ResourceWrites({ memory: { limit: G, checkBeforeUpdate: true } }, { memoryUsage: G - 1 })), [`memory.max=${G}`])
  t.same(files(v2ResourceWrites({ memory: { limit: G } }, { memoryUsage: 2 * G })), [`memory.max=${G}`], 'without the flag the kernel decides')
})

const reader = (present: Record<string, string>) => (_c: string, file: string) => present[file]

t.test('v1 blockIO weights: blkio.weight where the kernel has it, else the BFQ files; leaf weights; before throttles', async t => {
  const b = { weight: 500, leafWeight: 300, weightDevice: [{ major: 8, minor: 0, weight: 200, leafWeight: 100 }, { major: 8, minor: 16, leafWeight: 10 }], throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 }] }
  t.same(files(v1ResourceWrites({ blockIO: b }, { read: reader({ 'blkio.weight': '500\n' }) })), [
    'blkio.weight=500', 'blkio.leaf_weight=300', 'blkio.weight_device=8:0 200', 'blkio.leaf_weight_device=8:0 100',
    'blkio.leaf_weight_device=8:16 10', 'blkio.throttle.read_bps_device=8:0 1',
  ])
  t.same(files(v1ResourceWrites({ blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 200 }] } }, { read: reader({ 'blkio.bfq.weight': '100\n' }) })),
    ['blkio.bfq.weight=500', 'blkio.bfq.weight_device=8:0 200'], 'BFQ only (this kind of kernel)')
})

t.test('v2 io: weight to io.bfq.weight as given, else io.weight converted; per-device weights; throttles as io.max keys', async t => {
  t.equal(blkioWeightToIoWeight(10, 'weight'), 1)
  t.equal(blkioWeightToIoWeight(500, 'weight'), 4950)
  t.equal(blkioWeightToIoWeight(1000, 'weight'), 10000)
  t.throws(() => blkioWeightToIoWeight(5, 'weight'), { message: /^linux\.resources\.blockIO\.weight: 5 is out of range 10-1000/ })
  const b = { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 10 }] }
  t.same(files(v2ResourceWrites({ blockIO: b })), ['io.weight=4950', 'io.weight=8:0 1'], 'no BFQ: io.weight, converted')
  t.same(files(v2ResourceWrites({ blockIO: b }, { read: reader({ 'io.bfq.weight': 'default 100\n' }) })), ['io.bfq.weight=500', 'io.bfq.weight=8:0 10'], 'BFQ with per-device weights')
  t.same(files(v2ResourceWrites({ blockIO: b }, { read: reader({ 'io.bfq.weight': '100\n' }) })), ['io.bfq.weight=500', 'io.weight=8:0 1'], 'an old BFQ takes no device weights')
  const throttles = { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 2097152 }], throttleWriteBpsDevice: [{ major: 8, minor: 0, rate: 1024 }], throttleReadIOPSDevice: [{ major: 259, minor: 0, rate: 120 }], throttleWriteIOPSDevice: [{ major: 8, minor: 0, rate: 7 }] }
  const ws = v2ResourceWrites({ blockIO: throttles })
  t.same(files(ws), ['io.max=8:0 rbps=2097152', 'io.max=8:0 wbps=1024', 'io.max=259:0 riops=120', 'io.max=8:0 wiops=7'])
  t.ok(ws.every(w => w.controller === 'io'))
})

t.test('hugepageLimits: the limit and the reservation where the kernel has it; an unknown size names the entry', async t => {
  const sizes = ['2MB', '1GB']
  const h = { hugepageLimits: [{ pageSize: '2MB', limit: 4 << 20 }, { pageSize: '1GB', limit: 0 }] }
  t.same(files(v1ResourceWrites(h, { hugePageSizes: sizes })), [
    `hugetlb.2MB.limit_in_bytes=${4 << 20}`, `hugetlb.2MB.rsvd.limit_in_bytes=${4 << 20}?`, 'hugetlb.1GB.limit_in_bytes=0', 'hugetlb.1GB.rsvd.limit_in_bytes=0?',
  ])
  t.same(files(v2ResourceWrites(h, { hugePageSizes: sizes })), [`hugetlb.2MB.max=${4 << 20}`, `hugetlb.2MB.rsvd.max=${4 << 20}?`, 'hugetlb.1GB.max=0', 'hugetlb.1GB.rsvd.max=0?'])
  const hybrid = resourceWrites(h, 'hybrid', { hugePageSizes: sizes, cgroup2Only: ['hugetlb'] })
  t.same(files(hybrid).slice(0, 1), [`hugetlb.2MB.max=${4 << 20}`], 'hybrid with hugetlb only in the cgroup2 mount: v2 files')
  t.ok(hybrid.every(w => w.cgroup2 && w.controller === 'hugetlb'), 'aimed at the cgroup2 group')
  t.throws(() => v1ResourceWrites({ hugepageLimits: [{ pageSize: '2MB', limit: 1 }, { pageSize: '3MB', limit: 1 }] }, { hugePageSizes: sizes }),
    new ConfigError(['linux.resources.hugepageLimits[1].pageSize: "3MB" is not a huge page size of this host (2MB, 1GB)']))
  t.equal(hugePageSizeName('hugepages-2048kB'), '2MB')
  t.equal(hugePageSizeName('hugepages-1048576kB'), '1GB')
  t.equal(hugePageSizeName('hugepages-64kB'), '64KB')
})

t.test('network on v1: net_cls.classid and one net_prio.ifpriomap line per interface', async t => {
  const ws = v1ResourceWrites({ network: { classID: 0x100001, priorities: [{ name: 'eth0', priority: 500 }, { name: 'lo', priority: 2 }] } })
  t.same(ws.map(w => [w.controller, w.file, w.value]), [
    ['net_cls', 'net_cls.classid', String(0x100001)], ['net_prio', 'net_prio.ifpriomap', 'eth0 500'], ['net_prio', 'net_prio.ifpriomap', 'lo 2'],
  ])
})

t.test('rdma: one rdma.max line per device with the limits given, the same on v1 and v2', async t => {
  const rdma = { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, mlx4_0: { hcaObjects: 5 }, idle: {} }
  for (const writes of [v1ResourceWrites, v2ResourceWrites]) {
    t.same(files(writes({ rdma })), ['rdma.max=mlx4_0 hca_object=5', 'rdma.max=mlx5_1 hca_handle=3 hca_object=10000'])
  }
})

t.test('unified: each key a file, one write per line, after every structured field (the key wins)', async t => {
  const ws = v2ResourceWrites({ memory: { limit: G }, unified: { 'memory.max': String(2 * G), 'io.max': '259:0 rbps=2097152 wiops=120\n253:0 rbps=2097152 wiops=120\n', 'cgroup.max.depth': '3' } })
  t.same(ws.map(w => [w.controller, w.file, w.value]), [
    ['memory', 'memory.max', String(G)],
    ['memory', 'memory.max', String(2 * G)],
    ['io', 'io.max', '259:0 rbps=2097152 wiops=120'], ['io', 'io.max', '253:0 rbps=2097152 wiops=120'],
    ['cgroup', 'cgroup.max.depth', '3'],
  ])
  t.equal(ws[1].field, 'linux.resources.unified["memory.max"]')
  t.throws(() => v2ResourceWrites({ unified: { '../memory.max': '1', nodot: '1', 'pids.max': '5' } }), new ConfigError([
    'linux.resources.unified["../memory.max"]: a key must name a file of the group as <controller>.<file>',
    'linux.resources.unified["nodot"]: a key must name a file of the group as <controller>.<file>',
  ]))
  const hybrid = resourceWrites({ pids: { limit: 5 }, unified: { 'hugetlb.2MB.max': '0' } }, 'hybrid')
  t.same(hybrid.map(w => [w.file, !!w.cgroup2]), [['pids.max', false], ['hugetlb.2MB.max', true]], 'hybrid: unified keys go to the cgroup2 group')
})
