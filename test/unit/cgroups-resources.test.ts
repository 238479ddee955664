import t from 'tap'
import { cpuSharesToWeight, v1ResourceWrites, v2ResourceWrites, type CgroupWrite } from '../../src/cgroups/resources'
import { ConfigError } from '../../src/errors'

const G = 1024 ** 3
const files = (ws: CgroupWrite[]) => ws.map(w => `${w.file}=${w.value}${w.ifExists ? '?' : ''}`)

t.test('nothing asked, nothing written', async t => {
  t.same(v1ResourceWrites({}), [])
  t.same(v2ResourceWrites({ memory: {}, cpu: {} }), [])
  t.same(v2ResourceWrites({ devices: [{ allow: false, access: 'rwm' }] }), [], 'devices are not this module\'s yet')
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
