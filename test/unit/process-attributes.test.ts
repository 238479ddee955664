// process.scheduler, process.ioPriority, linux.personality and linux.memoryPolicy as
// the numbers the executor passes to the kernel, and the configs refused before it would.
import t from 'tap'
import { ConfigError } from '../../src/errors'
import { planIoPriority, planMemoryPolicy, planPersonality, planScheduler } from '../../src/plan/process-attributes'

const P = '/process/scheduler'

function problems(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems]
    throw err
  }
  return []
}

t.test('scheduler: policy and flag numbers of sched_setattr, zeros for what is not set', async t => {
  t.equal(planScheduler(undefined, P), null)
  t.same(planScheduler({ policy: 'SCHED_OTHER' }, P), { policy: 0, nice: 0, priority: 0, flags: 0, runtime: 0n, deadline: 0n, period: 0n })
  t.same(planScheduler({ policy: 'SCHED_FIFO', priority: 50, flags: ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_UTIL_CLAMP_MAX'] }, P),
    { policy: 1, nice: 0, priority: 50, flags: 0x41, runtime: 0n, deadline: 0n, period: 0n })
  t.same(planScheduler({ policy: 'SCHED_BATCH', nice: -7 }, P)?.policy, 3)
  t.same(planScheduler({ policy: 'SCHED_IDLE' }, P)?.policy, 5)
  t.same(planScheduler({ policy: 'SCHED_DEADLINE', runtime: 10_000_000, deadline: 30_000_000, period: 100_000_000 }, P),
    { policy: 6, nice: 0, priority: 0, flags: 0, runtime: 10_000_000n, deadline: 30_000_000n, period: 100_000_000n })
})

t.test('scheduler: what the kernel would refuse is refused by pointer', async t => {
  t.same(problems(() => planScheduler({ policy: 'SCHED_ISO' }, P)), ['/process/scheduler/policy: SCHED_ISO is reserved and not implemented by Linux'])
  t.same(problems(() => planScheduler({ policy: 'SCHED_FIFO' }, P)), ['/process/scheduler/priority: SCHED_FIFO needs a priority from 1 to 99, not 0'])
  t.same(problems(() => planScheduler({ policy: 'SCHED_RR', priority: 100 }, P)), ['/process/scheduler/priority: SCHED_RR needs a priority from 1 to 99, not 100'])
  t.same(problems(() => planScheduler({ policy: 'SCHED_OTHER', priority: 5, nice: 20 }, P)), [
    '/process/scheduler/nice: 20 is not a nice value (-20 to 19)',
    '/process/scheduler/priority: only SCHED_FIFO and SCHED_RR have a priority; SCHED_OTHER needs 0',
  ])
  t.same(problems(() => planScheduler({ policy: 'SCHED_OTHER', runtime: 5 }, P)), ['/process/scheduler/runtime: only SCHED_DEADLINE uses it; SCHED_OTHER needs 0 or nothing'])
  t.same(problems(() => planScheduler({ policy: 'SCHED_DEADLINE', runtime: 100, deadline: 50, period: 10 }, P)), [
    '/process/scheduler/runtime: SCHED_DEADLINE needs a runtime of at least 1024 ns',
    '/process/scheduler/deadline: must be at least the runtime (100 ns)',
    '/process/scheduler/period: must be 0 or at least the deadline (50 ns)',
  ])
  t.same(problems(() => planScheduler({ policy: 'SCHED_OTHER', flags: ['SCHED_FLAG_X' as any] }, P)), ['/process/scheduler/flags/0: unknown flag "SCHED_FLAG_X"'])
})

t.test('ioPriority: class << 13 | level', async t => {
  t.equal(planIoPriority(undefined, '/process/ioPriority'), null)
  t.equal(planIoPriority({ class: 'IOPRIO_CLASS_RT', priority: 0 }, '/process/ioPriority'), 1 << 13)
  t.equal(planIoPriority({ class: 'IOPRIO_CLASS_BE', priority: 6 }, '/process/ioPriority'), (2 << 13) | 6)
  t.equal(planIoPriority({ class: 'IOPRIO_CLASS_IDLE' }, '/process/ioPriority'), 3 << 13)
  t.same(problems(() => planIoPriority({ class: 'IOPRIO_CLASS_BE', priority: 8 }, '/process/ioPriority')), ['/process/ioPriority/priority: 8 is not a level from 0 to 7'])
})

t.test('personality: LINUX and LINUX32, and no flags', async t => {
  t.equal(planPersonality(undefined), null)
  t.equal(planPersonality({ domain: 'LINUX' }), 0)
  t.equal(planPersonality({ domain: 'LINUX32', flags: [] }), 8)
  t.same(problems(() => planPersonality({ domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE'] })),
    ['/linux/personality/flags: runtime-spec 1.3.0 defines no personality flags; runt accepts none'])
})

t.test('memoryPolicy: mode and flags numbers, nodes checked against the mode and the host', async t => {
  const online = [0, 1]
  t.equal(planMemoryPolicy(undefined, online), null)
  t.same(planMemoryPolicy({ mode: 'MPOL_BIND', nodes: '0-1' }, online), { mode: 2, flags: 0, nodes: [0, 1] })
  t.same(planMemoryPolicy({ mode: 'MPOL_INTERLEAVE', nodes: '1', flags: ['MPOL_F_STATIC_NODES'] }, online), { mode: 3, flags: 1 << 15, nodes: [1] })
  t.same(planMemoryPolicy({ mode: 'MPOL_LOCAL' }, online), { mode: 4, flags: 0, nodes: [] })
  t.same(planMemoryPolicy({ mode: 'MPOL_PREFERRED', nodes: '' }, online), { mode: 1, flags: 0, nodes: [] }, 'preferred without nodes: local')
  t.same(planMemoryPolicy({ mode: 'MPOL_BIND', nodes: '5', flags: ['MPOL_F_RELATIVE_NODES'] }, online)?.nodes, [5], 'relative nodes are not host nodes')
  t.same(planMemoryPolicy({ mode: 'MPOL_BIND', nodes: '7' }, null)?.nodes, [7], 'unknown host: the kernel decides')
  t.same(problems(() => planMemoryPolicy({ mode: 'MPOL_BIND', nodes: '0,3' }, online)), ['/linux/memoryPolicy/nodes: node 3 is not online on this host (online: 0,1)'])
  t.same(problems(() => planMemoryPolicy({ mode: 'MPOL_DEFAULT', nodes: '0', flags: ['MPOL_F_STATIC_NODES'] }, online)), [
    '/linux/memoryPolicy/nodes: MPOL_DEFAULT takes no nodes',
    '/linux/memoryPolicy/flags: MPOL_DEFAULT takes no flags',
  ])
  t.same(problems(() => planMemoryPolicy({ mode: 'MPOL_INTERLEAVE', flags: ['MPOL_F_STATIC_NODES', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_NUMA_BALANCING'] }, online)), [
    '/linux/memoryPolicy/nodes: MPOL_INTERLEAVE needs at least one node',
    '/linux/memoryPolicy/flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other',
    '/linux/memoryPolicy/flags: MPOL_F_NUMA_BALANCING goes with MPOL_BIND or MPOL_PREFERRED_MANY only',
  ])
  t.same(problems(() => planMemoryPolicy({ mode: 'MPOL_BIND', nodes: 'x' }, online)), ['/linux/memoryPolicy/nodes: "x" is not a node list (like "0-3,7", nodes 0 to 1023)'])
  t.same(problems(() => planMemoryPolicy({ mode: 'MPOL_NOPE' }, online)), ['/linux/memoryPolicy/mode: unknown mode "MPOL_NOPE"'])
})
