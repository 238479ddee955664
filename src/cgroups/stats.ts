// A container's cgroup statistics in the shape runc's `events` prints (types.Stats in
// runc's types/events.go), read from the v1 controllers' files or the v2 group's.
// Counters are bigint: v1 reports "unlimited" as 9223372036854771712 and v2 as 2^64-1,
// past what a JS number holds exactly; goJson() prints them as plain JSON numbers.

import fs from 'node:fs'
import path from 'node:path'
import { hostHugePageSizes } from './hugetlb'

export type Stat = bigint
type Json = null | boolean | number | bigint | string | Json[] | { [k: string]: Json }
export type Stats = { [k: string]: Json }

/** v2 has no numeric "unlimited": runc reports math.MaxUint64 */
const MAX_UINT64 = (1n << 64n) - 1n
const NS_PER_USEC = 1000n
// cpuacct.stat counts USER_HZ ticks, 100 a second on every Linux ABI
const NS_PER_TICK = 10_000_000n

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

function toStat(word: string | undefined, max: Stat = 0n): Stat {
  if (word === undefined) return 0n
  if (word === 'max') return max
  return /^\d+$/.test(word) ? BigInt(word) : 0n
}

/** a one-number file; 0 when absent (a controller or kernel without it) */
function readStat(file: string, max?: Stat): Stat {
  return toStat(readText(file)?.trim(), max)
}

/** "key value" lines (memory.stat, cpu.stat, memory.events, cpuacct.stat) */
export function parseKeyValues(text: string | undefined): Record<string, Stat> {
  const out: Record<string, Stat> = {}
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/)
    if (k && v !== undefined && /^\d+$/.test(v)) out[k] = BigInt(v)
  }
  return out
}

const words = (text: string | undefined): string[] => (text ?? '').split(/\s+/).filter(Boolean)

/** "0-3,6" -> [0,1,2,3,6] */
export function parseCpuList(text: string | undefined): number[] {
  const out: number[] = []
  for (const part of (text ?? '').trim().split(',').filter(Boolean)) {
    const [a, b] = part.split('-').map(Number)
    for (let i = a; i <= (b ?? a); i++) out.push(i)
  }
  return out
}

/** Go's omitempty: zero numbers, empty strings, empty lists and maps are left out */
function omitEmpty(o: Record<string, Json | undefined>): { [k: string]: Json } {
  const out: { [k: string]: Json } = {}
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === 0n || v === 0 || v === '') continue
    if (Array.isArray(v) && v.length === 0) continue
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue
    out[k] = v
  }
  return out
}

/** A blkio entry list, or undefined: "8:0 Read 4096" lines (v1) */
export function parseV1Blkio(text: string | undefined): Json[] {
  const out: Json[] = []
  for (const line of (text ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (\S+) (\d+)$/.exec(line.trim())
    if (m) out.push(omitEmpty({ major: BigInt(m[1]), minor: BigInt(m[2]), op: m[3], value: BigInt(m[4]) }))
  }
  return out
}

/** v2 io.stat "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." -> bytes and ios entries as runc names them */
export function parseV2IoStat(text: string | undefined): { bytes: Json[]; ios: Json[] } {
  const bytes: Json[] = []
  const ios: Json[] = []
  for (const line of (text ?? '').split('\n')) {
    const [dev, ...fields] = words(line)
    const m = /^(\d+):(\d+)$/.exec(dev ?? '')
    if (!m) continue
    const kv = Object.fromEntries(fields.map(f => f.split('=')))
    const entry = (op: string, v: string | undefined) => omitEmpty({ major: BigInt(m[1]), minor: BigInt(m[2]), op, value: toStat(v) })
    bytes.push(entry('Read', kv.rbytes), entry('Write', kv.wbytes))
    ios.push(entry('Read', kv.rios), entry('Write', kv.wios))
  }
  return { bytes, ios }
}

// Go's MemoryEntry: limit and failcnt always, usage and max only when non-zero
const memoryEntry = (usage: Stat, max: Stat, failcnt: Stat, limit: Stat): Json => ({ limit, ...omitEmpty({ usage, max }), failcnt })

function v1MemoryEntry(dir: string, prefix: string): Json {
  const f = (name: string) => path.join(dir, `${prefix}.${name}`)
  return memoryEntry(readStat(f('usage_in_bytes')), readStat(f('max_usage_in_bytes')), readStat(f('failcnt')), readStat(f('limit_in_bytes')))
}

/**
 * Per page size: usage (of reservations where the kernel accounts them, as runc reads
 * it), v1's max usage, and how often the limit was hit (v1 failcnt, v2 events "max").
 */
function hugetlbStats(dir: string | undefined, v2: boolean, pageSizes: readonly string[]): { [k: string]: Json } {
  const out: { [k: string]: Json } = {}
  if (dir === undefined) return out
  for (const size of pageSizes) {
    const f = (name: string) => path.join(dir, `hugetlb.${size}.${name}`)
    if (v2) {
      const usageFile = readText(f('rsvd.current')) !== undefined ? f('rsvd.current') : f('current')
      if (readText(usageFile) === undefined) continue
      out[size] = { ...omitEmpty({ usage: readStat(usageFile) }), failcnt: parseKeyValues(readText(f('events'))).max ?? 0n }
    } else {
      const prefix = readText(f('rsvd.usage_in_bytes')) !== undefined ? 'rsvd.' : ''
      if (readText(f(`${prefix}usage_in_bytes`)) === undefined) continue
      out[size] = { ...omitEmpty({ usage: readStat(f(`${prefix}usage_in_bytes`)), max: readStat(f(`${prefix}max_usage_in_bytes`)) }), failcnt: readStat(f(`${prefix}failcnt`)) }
    }
  }
  return out
}

// v1 blkio statistics come from the first family of files the kernel fills, in runc's
// order: BFQ with its debug files, BFQ, CFQ, the throttle counters recursive, then not.
const V1_BLKIO_FAMILIES: [string, string][][] = [
  [
    ['blkio.bfq.sectors_recursive', 'sectorsRecursive'], ['blkio.bfq.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.bfq.io_wait_time_recursive', 'ioWaitTimeRecursive'], ['blkio.bfq.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.bfq.io_queued_recursive', 'ioQueueRecursive'], ['blkio.bfq.time_recursive', 'ioTimeRecursive'],
    ['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [['blkio.bfq.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.bfq.io_service_bytes_recursive', 'ioServiceBytesRecursive']],
  [
    ['blkio.sectors_recursive', 'sectorsRecursive'], ['blkio.io_service_time_recursive', 'ioServiceTimeRecursive'],
    ['blkio.io_wait_time_recursive', 'ioWaitTimeRecursive'], ['blkio.io_merged_recursive', 'ioMergedRecursive'],
    ['blkio.io_queued_recursive', 'ioQueueRecursive'], ['blkio.time_recursive', 'ioTimeRecursive'],
    ['blkio.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.io_service_bytes_recursive', 'ioServiceBytesRecursive'],
  ],
  [['blkio.throttle.io_serviced_recursive', 'ioServicedRecursive'], ['blkio.throttle.io_service_bytes_recursive', 'ioServiceBytesRecursive']],
  [['blkio.throttle.io_serviced', 'ioServicedRecursive'], ['blkio.throttle.io_service_bytes', 'ioServiceBytesRecursive']],
]

/** runc's Blkio statistics from the group's files (text of one file, undefined when absent) */
export function v1BlkioStats(text: (file: string) => string | undefined): { [k: string]: Json } {
  for (const family of V1_BLKIO_FAMILIES) {
    if (parseV1Blkio(text(family[0][0])).length === 0) continue
    return omitEmpty(Object.fromEntries(family.map(([file, key]) => [key, parseV1Blkio(text(file))])))
  }
  return {}
}

function cpusetStats(dir: string | undefined, v2: boolean): Json {
  if (dir === undefined) return { cpu_exclusive: 0, mem_hardwall: 0, mem_exclusive: 0, memory_migrate: 0, memory_spread_page: 0, memory_spread_slab: 0, memory_pressure: 0, sched_load_balance: 0, sched_relax_domain_level: 0 }
  const f = (name: string) => path.join(dir, `cpuset.${name}`)
  const flag = (name: string) => (v2 ? 0n : readStat(f(name)))
  const level = v2 ? 0 : Number(readText(f('sched_relax_domain_level'))?.trim() ?? 0)
  return {
    ...omitEmpty({
      cpus: parseCpuList(readText(f(v2 ? 'cpus.effective' : 'cpus'))),
      mems: parseCpuList(readText(f(v2 ? 'mems.effective' : 'mems'))),
    }),
    cpu_exclusive: flag('cpu_exclusive'),
    mem_hardwall: flag('mem_hardwall'),
    mem_exclusive: flag('mem_exclusive'),
    memory_migrate: flag('memory_migrate'),
    memory_spread_page: flag('memory_spread_page'),
    memory_spread_slab: flag('memory_spread_slab'),
    memory_pressure: flag('memory_pressure'),
    sched_load_balance: flag('sched_load_balance'),
    sched_relax_domain_level: Number.isFinite(level) ? level : 0,
  }
}

function assemble(parts: { cpu: Json; cpuset: Json; memory: Json; pids: Json; blkio: Json; hugetlb: Json }): Stats {
  return { ...parts, intel_rdt: {}, network_interfaces: null }
}

/**
 * Stats of a v1 (or hybrid) container; dirs maps each v1 controller name to the container's
 * group in it; hugetlbCgroup2: a hybrid host's cgroup2 group, where hugetlb is only there.
 */
export function v1Stats(dirs: Record<string, string | undefined>, hugetlbCgroup2?: string, pageSizes: readonly string[] = hostHugePageSizes()): Stats {
  const at = (controller: string, file: string) => (dirs[controller] === undefined ? undefined : path.join(dirs[controller]!, file))
  const text = (controller: string, file: string) => {
    const p = at(controller, file)
    return p === undefined ? undefined : readText(p)
  }
  const list = (controller: string, file: string) => words(text(controller, file)).map(w => toStat(w))
  const ticks = parseKeyValues(text('cpuacct', 'cpuacct.stat'))
  const throttle = parseKeyValues(text('cpu', 'cpu.stat'))
  const cpu = {
    usage: {
      ...omitEmpty({
        total: toStat(text('cpuacct', 'cpuacct.usage')?.trim()),
        percpu: list('cpuacct', 'cpuacct.usage_percpu'),
        percpu_kernel: list('cpuacct', 'cpuacct.usage_percpu_sys'),
        percpu_user: list('cpuacct', 'cpuacct.usage_percpu_user'),
      }),
      kernel: (ticks.system ?? 0n) * NS_PER_TICK,
      user: (ticks.user ?? 0n) * NS_PER_TICK,
    },
    throttling: omitEmpty({ periods: throttle.nr_periods, throttledPeriods: throttle.nr_throttled, throttledTime: throttle.throttled_time }),
  }

  const mem = dirs.memory
  const raw = parseKeyValues(text('memory', 'memory.stat'))
  const memory = mem === undefined ? {} : omitEmpty({
    cache: raw.cache ?? 0n,
    usage: v1MemoryEntry(mem, 'memory'),
    swap: v1MemoryEntry(mem, 'memory.memsw'),
    kernel: v1MemoryEntry(mem, 'memory.kmem'),
    kernelTCP: v1MemoryEntry(mem, 'memory.kmem.tcp'),
    raw,
  })

  const pidsDir = dirs.pids
  const pids = pidsDir === undefined ? {} : omitEmpty({ current: readStat(path.join(pidsDir, 'pids.current')), limit: readStat(path.join(pidsDir, 'pids.max')) })

  const blkio = v1BlkioStats(file => text('blkio', file))
  const hugetlb = hugetlbCgroup2 !== undefined ? hugetlbStats(hugetlbCgroup2, true, pageSizes) : hugetlbStats(dirs.hugetlb, false, pageSizes)
  return assemble({ cpu, cpuset: cpusetStats(dirs.cpuset, false), memory, pids, blkio, hugetlb })
}

/** Stats of a container on a unified (v2) host, from its one group. */
export function v2Stats(dir: string, pageSizes: readonly string[] = hostHugePageSizes()): Stats {
  const text = (file: string) => readText(path.join(dir, file))
  const cs = parseKeyValues(text('cpu.stat'))
  const cpu = {
    usage: {
      ...omitEmpty({ total: (cs.usage_usec ?? 0n) * NS_PER_USEC }),
      kernel: (cs.system_usec ?? 0n) * NS_PER_USEC,
      user: (cs.user_usec ?? 0n) * NS_PER_USEC,
    },
    throttling: omitEmpty({ periods: cs.nr_periods, throttledPeriods: cs.nr_throttled, throttledTime: (cs.throttled_usec ?? 0n) * NS_PER_USEC }),
  }

  const raw = parseKeyValues(text('memory.stat'))
  let memory: Json = {}
  if (text('memory.current') !== undefined) {
    const usage = readStat(path.join(dir, 'memory.current'))
    const limit = readStat(path.join(dir, 'memory.max'), MAX_UINT64)
    const events = parseKeyValues(text('memory.events'))
    // v2 counts swap alone; runc reports it as memory+swap, as v1's memsw did
    const swapUsage = readStat(path.join(dir, 'memory.swap.current'))
    const swapMax = readStat(path.join(dir, 'memory.swap.max'), MAX_UINT64)
    const addCapped = (a: Stat, b: Stat) => (a === MAX_UINT64 || b === MAX_UINT64 || a + b > MAX_UINT64 ? MAX_UINT64 : a + b)
    memory = omitEmpty({
      cache: raw.file ?? 0n,
      usage: memoryEntry(usage, readStat(path.join(dir, 'memory.peak')), events.max ?? 0n, limit),
      swap: memoryEntry(swapUsage + usage, 0n, events.max ?? 0n, addCapped(swapMax, limit)),
      raw,
    })
  }

  const pids = text('pids.current') === undefined ? {} : omitEmpty({ current: readStat(path.join(dir, 'pids.current')), limit: readStat(path.join(dir, 'pids.max')) })
  const io = parseV2IoStat(text('io.stat'))
  const blkio = omitEmpty({ ioServiceBytesRecursive: io.bytes, ioServicedRecursive: io.ios })
  return assemble({ cpu, cpuset: cpusetStats(text('cpuset.cpus.effective') === undefined ? undefined : dir, true), memory, pids, blkio, hugetlb: hugetlbStats(dir, true, pageSizes) })
}

/** The oom_kill counter of v1 memory.oom_control or v2 memory.events (0 when the kernel has none). */
export function oomKillCount(text: string): number {
  return Number(parseKeyValues(text).oom_kill ?? 0n)
}

/** JSON as Go's encoding/json writes it, bigints included as plain numbers. */
export function goJson(value: Json): string {
  if (typeof value === 'bigint') return value.toString()
  if (value === null || typeof value !== 'object') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`
  return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${goJson(v)}`).join(',')}}`
}
