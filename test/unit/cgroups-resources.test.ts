import t from 'tap'
import { cpuSharesToWeight, refuseUnapplied, v1ResourceWrites, v2ResourceWrites, type CgroupWrite } from '../../src/cgroups/resources'
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

t.test('refuseUnapplied: every resource runt cannot apply is named, in one ConfigError', async t => {
  const all = {
    blockIO: { weight: 500 },
    hugepageLimits: [{ pageSize: '2MB', limit: 1 }],
    network: { classID: 1 },
    rdma: { mlx5_1: { hcaHandles: 3 } },
    unified: { 'memory.high': '1G' },
    memory: { kernel: 1, kernelTCP: 1 },
  }
  const err = t.throws(() => refuseUnapplied(all, 'hybrid')) as ConfigError
  t.same(err.problems.map(p => p.split(':')[0]), [
    'linux.resources.blockIO.weight', 'linux.resources.hugepageLimits', 'linux.resources.network',
    'linux.resources.rdma', 'linux.resources.unified', 'linux.resources.memory.kernel', 'linux.resources.memory.kernelTCP',
  ])
  t.doesNotThrow(() => refuseUnapplied({ devices: [{ allow: false }] }, 'unified'), 'devices on v2: the device filter')
  t.throws(() => refuseUnapplied({ blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 }] } }, 'unified'), { message: /^linux\.resources\.blockIO: / })
  t.throws(() => refuseUnapplied({ cpu: { realtimeRuntime: 10 } }, 'unified'), { message: /^linux\.resources\.cpu\.realtimeRuntime: / })
})

t.test('refuseUnapplied: empty and zero values are not requests, and v1 takes devices and throttles', async t => {
  t.doesNotThrow(() => refuseUnapplied({ blockIO: {}, hugepageLimits: [], network: {}, rdma: {}, unified: {}, memory: { kernel: 0 }, devices: [] }, 'unified'))
  t.doesNotThrow(() => refuseUnapplied({ devices: [{ allow: false }], blockIO: { throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 }] }, cpu: { realtimeRuntime: 10 } }, 'legacy'))
})
