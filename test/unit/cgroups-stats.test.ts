import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import t from 'tap'
import { goJson, oomKillCount, parseCpuList, parseV1Blkio, parseV2IoStat, v1Stats, v2Stats } from '../../src/cgroups/stats'
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
    'cpuset/c/cpuset.cpus': '0-1\n',
    'cpuset/c/cpuset.mems': '0\n',
    'cpuset/c/cpuset.sched_load_balance': '1\n',
    'cpuset/c/cpuset.sched_relax_domain_level': '-1\n',
  })
  const dirs = Object.fromEntries(['cpu', 'cpuacct', 'memory', 'pids', 'blkio', 'cpuset'].map(c => [c, path.join(root, c, 'c')]))
  const json = JSON.parse(goJson(v1Stats(dirs)).replace(/9223372036854771712/g, '"unlimited"'))
  t.same(json.cpu, {
    usage: { total: 3000, percpu: [1000, 2000], percpu_kernel: [100, 200], percpu_user: [900, 1800], kernel: 20_000_000, user: 30_000_000 },
    throttling: { periods: 10, throttledPeriods: 4, throttledTime: 5000 },
  })
  t.same(json.memory.usage, { limit: 'unlimited', usage: 1048576, max: 2097152, failcnt: 7 })
  t.same(json.memory.swap, { limit: 0, failcnt: 0 }, 'no memsw files: zero, as Go prints an empty MemoryEntry')
  t.equal(json.memory.cache, 4096)
  t.same(json.memory.raw, { cache: 4096, rss: 8192 })
  t.same(json.pids, { current: 3 }, 'pids.max "max" is limit 0, omitted')
  t.same(json.blkio, { ioServiceBytesRecursive: [{ major: 8, op: 'Read', value: 512 }] })
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
  const json = JSON.parse(goJson(v2Stats(dir)).replace(/18446744073709551615/g, '"max"'))
  t.same(json.cpu, { usage: { total: 100_000, kernel: 40_000, user: 60_000 }, throttling: { periods: 5, throttledPeriods: 1, throttledTime: 7000 } })
  t.same(json.memory.usage, { limit: 'max', usage: 4096, max: 8192, failcnt: 2 })
  t.same(json.memory.swap, { limit: 'max', usage: 5120, failcnt: 2 })
  t.equal(json.memory.cache, 200)
  t.same(json.pids, { current: 2, limit: 50 })
  t.same(json.blkio.ioServicedRecursive, [{ major: 8, op: 'Read', value: 1 }, { major: 8, op: 'Write', value: 2 }])
})
