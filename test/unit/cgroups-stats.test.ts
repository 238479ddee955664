import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { goJson, oomKillCount, parseCpuList, parseV1Blkio, parseV2IoStat, v1BlkioStats, v1Stats, v2Stats } from '../../src/cgroups/stats'
import { parseGoDuration } from '../../src/cgroups/go-duration'

function tree(t: { teardown(fn: () => void): void }, files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-stats-'))
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }))
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  return root
}

t.test('Go durations as runc --interval takes them', async t => {
  t.equal(parseGoDuration('5s'), 5000)
  t.equal(parseGoDuration('500ms'), 500)
  t.equal(parseGoDuration('1m30s'), 90_000)
  t.equal(parseGoDuration('1.5h'), 5_400_000)
  t.equal(parseGoDuration('250us'), 0.25)
  t.equal(parseGoDuration('250µs'), 0.25)
  t.equal(parseGoDuration('-2s'), -2000)
  t.equal(parseGoDuration('0'), 0)
  for (const bad of ['', '5', 's', '1x', '5 s', '1s5']) t.throws(() => parseGoDuration(bad), { name: 'UsageError', message: `time: invalid duration "${bad}"` }, bad)
})

t.test('small parsers: cpu lists, blkio lines, io.stat, oom_kill', async t => {
  t.same(parseCpuList('0-3,6\n'), [0, 1, 2, 3, 6])
  t.same(parseCpuList(''), [])
  t.same(parseV1Blkio('8:0 Read 4096\n8:0 Write 0\nTotal 4096\n'), [{ major: 8n, op: 'Read', value: 4096n }, { major: 8n, op: 'Write' }], 'zero minor and value omitted, as Go does')
  t.same(parseV2IoStat('8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n'), {
    bytes: [{ major: 8n, op: 'Read', value: 10n }, { major: 8n, op: 'Write', value: 20n }],
    ios: [{ major: 8n, op: 'Read', value: 1n }, { major: 8n, op: 'Write', value: 2n }],
  })
  t.equal(oomKillCount('oom_kill_disable 0\nunder_oom 0\noom_kill 2\n'), 2)
  t.equal(oomKillCount('oom_kill_disable 0\nunder_oom 0\n'), 0, 'a kernel without the counter')
})

t.test('goJson prints counters past 2^53 exactly, as Go does', async t => {
  t.equal(goJson({ a: 9223372036854771712n, b: [1n, 'x'], c: null, d: { e: 0 } }), '{"a":9223372036854771712,"b":[1,"x"],"c":null,"d":{"e":0}}')
})

t.test('v1 stats: runc\'s field names from the v1 controllers\' files', async t => {
  const root = tree(t, {
    'cpuacct/c/cpuacct.usage': '3000\n',
    'cpuacct/c/cpuacct.usage_percpu': '1000 2000 \n',
    'cpuacct/c/cpuacct.usage_percpu_sys': '100 200\n',
    'cpuacct/c/cpuacct.usage_percpu_user': '900 1800\n',
    'cpuacct/c/cpuacct.stat': 'user 3\nsystem 2\n',
    'cpu/c/cpu.stat': 'nr_periods 10\nnr_throttled 4\nthrottled_time 5000\n',
    'memory/c/memory.usage_in_bytes': '1048576\n',
    'memory/c/memory.max_usage_in_bytes': '2097152\n',
    'memory/c/memory.limit_in_bytes': '9223372036854771712\n',
    'memory/c/memory.failcnt': '7\n',
    'memory/c/memory.stat': 'cache 4096\nrss 8192\n',
    'pids/c/pids.current': '3\n',
    'pids/c/pids.max': 'max\n',
    'blkio/c/blkio.throttle.io_service_bytes_recursive': '8:0 Read 512\nTotal 512\n',
    'blkio/c/blkio.throttle.io_serviced_recursive': '8:0 Read 1\nTotal 1\n',
    'cpuset/c/cpuset.cpus': '0-1\n',
    'cpuset/c/cpuset.mems': '0\n',
    'cpuset/c/cpuset.sched_load_balance': '1\n',
    'cpuset/c/cpuset.sched_relax_domain_level': '-1\n',
  })
  const dirs = Object.fromEntries(['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'cpuset'].map(c => [c, path.join(root, c, 'c')]))
  const json = JSON.parse(goJson(v1Stats(dirs, undefined, [])).replace(/9223372036854771712/g, '"unlimited"'))
  t.same(json.cpu, {
    usage: { total: 3000, percpu: [1000, 2000], percpu_kernel: [100, 200], percpu_user: [900, 1800], kernel: 20_000_000, user: 30_000_000 },
    throttling: { periods: 10, throttledPeriods: 4, throttledTime: 5000 },
  })
  t.same(json.memory.usage, { limit: 'unlimited', usage: 1048576, max: 2097152, failcnt: 7 })
  t.same(json.memory.swap, { limit: 0, failcnt: 0 }, 'no memsw files: zero, as Go prints an empty MemoryEntry')
  t.equal(json.memory.cache, 4096)
  t.same(json.memory.raw, { cache: 4096, rss: 8192 })
  t.same(json.pids, { current: 3 }, 'pids.max "max" is limit 0, omitted')
  t.same(json.blkio, { ioServiceBytesRecursive: [{ major: 8, op: 'Read', value: 512 }], ioServicedRecursive: [{ major: 8, op: 'Read', value: 1 }] })
  t.same(json.cpuset.cpus, [0, 1])
  t.equal(json.cpuset.sched_relax_domain_level, -1)
  t.same(json.hugetlb, {})
  t.equal(json.network_interfaces, null)
})

t.test('v2 stats: usec counters in ns, max as 2^64-1, swap reported as memory+swap', async t => {
  const dir = tree(t, {
    'cpu.stat': 'usage_usec 100\nuser_usec 60\nsystem_usec 40\nnr_periods 5\nnr_throttled 1\nthrottled_usec 7\n',
    'memory.current': '4096\n',
    'memory.max': 'max\n',
    'memory.peak': '8192\n',
    'memory.events': 'low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n',
    'memory.swap.current': '1024\n',
    'memory.swap.max': '0\n',
    'memory.stat': 'anon 100\nfile 200\n',
    'pids.current': '2\n',
    'pids.max': '50\n',
    'io.stat': '8:0 rbytes=10 wbytes=20 rios=1 wios=2\n',
  })
  const json = JSON.parse(goJson(v2Stats(dir, [])).replace(/18446744073709551615/g, '"max"'))
  t.same(json.cpu, { usage: { total: 100_000, kernel: 40_000, user: 60_000 }, throttling: { periods: 5, throttledPeriods: 1, throttledTime: 7000 } })
  t.same(json.memory.usage, { limit: 'max', usage: 4096, max: 8192, failcnt: 2 })
  t.same(json.memory.swap, { limit: 'max', usage: 5120, failcnt: 2 })
  t.equal(json.memory.cache, 200)
  t.same(json.pids, { current: 2, limit: 50 })
  t.same(json.blkio.ioServicedRecursive, [{ major: 8, op: 'Read', value: 1 }, { major: 8, op: 'Write', value: 2 }])
})

t.test('hugetlb stats per page size: reservations where accounted, v1 max usage, failcnt (v2: events max)', async t => {
  const root = tree(t, {
    'v1/hugetlb.2MB.rsvd.usage_in_bytes': '4194304\n',
    'v1/hugetlb.2MB.rsvd.max_usage_in_bytes': '6291456\n',
    'v1/hugetlb.2MB.rsvd.failcnt': '1\n',
    'v1/hugetlb.2MB.usage_in_bytes': '0\n',
    'v1/hugetlb.1GB.usage_in_bytes': '0\n',
    'v1/hugetlb.1GB.max_usage_in_bytes': '0\n',
    'v1/hugetlb.1GB.failcnt': '0\n',
    'v2/hugetlb.2MB.current': '2097152\n',
    'v2/hugetlb.2MB.max': '4194304\n',
    'v2/hugetlb.2MB.events': 'max 3\n',
    'v2/hugetlb.1GB.rsvd.current': '1073741824\n',
    'v2/hugetlb.1GB.current': '0\n',
    'v2/hugetlb.1GB.events': 'max 0\n',
  })
  const v1 = JSON.parse(goJson(v1Stats({ hugetlb: path.join(root, 'v1') }, undefined, ['2MB', '1GB', '64KB'])))
  t.same(v1.hugetlb, { '2MB': { usage: 4194304, max: 6291456, failcnt: 1 }, '1GB': { failcnt: 0 } }, 'a size without files is left out')
  const v2 = JSON.parse(goJson(v2Stats(path.join(root, 'v2'), ['2MB', '1GB'])))
  t.same(v2.hugetlb, { '2MB': { usage: 2097152, failcnt: 3 }, '1GB': { usage: 1073741824, failcnt: 0 } }, 'v2 has no max usage: the limit is not reported as one')
  const hybrid = JSON.parse(goJson(v1Stats({ memory: path.join(root, 'v1') }, path.join(root, 'v2'), ['2MB'])))
  t.same(hybrid.hugetlb, { '2MB': { usage: 2097152, failcnt: 3 } }, 'hybrid: read from the cgroup2 group')
})

t.test('v1 blkio stats: the first family of files the kernel fills, in runc\'s order', async t => {
  const files: Record<string, string> = {
    'blkio.bfq.io_serviced_recursive': '8:0 Read 3\n8:0 Write 4\nTotal 7\n',
    'blkio.bfq.io_service_bytes_recursive': '8:0 Read 4096\nTotal 4096\n',
    'blkio.throttle.io_service_bytes_recursive': '8:0 Read 1\n',
  }
  t.same(JSON.parse(goJson(v1BlkioStats(f => files[f]))), {
    ioServiceBytesRecursive: [{ major: 8, op: 'Read', value: 4096 }],
    ioServicedRecursive: [{ major: 8, op: 'Read', value: 3 }, { major: 8, op: 'Write', value: 4 }],
  }, 'BFQ (no debug files) before the throttle counters')
  t.same(JSON.parse(goJson(v1BlkioStats(f => ({ 'blkio.bfq.io_serviced_recursive': 'Total 0\n', 'blkio.throttle.io_serviced': '8:16 Read 9\n' } as Record<string, string>)[f]))),
    { ioServicedRecursive: [{ major: 8, minor: 16, op: 'Read', value: 9 }] }, 'empty families are skipped')
  t.same(v1BlkioStats(() => undefined), {})
})
