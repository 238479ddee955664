// linux.resources -> the ordered cgroup file writes that apply them (pure: what the
// host and the group hold now comes in as HostFacts, read by the manager).
// Covered on v1 and hybrid: memory, cpu, pids, devices, blockIO (weights and
// throttles), hugepageLimits, network (net_cls, net_prio), rdma; on a hybrid host
// hugetlb may live only in the cgroup2 mount, and unified keys go there too.
// On v2: memory, cpu, pids, io, hugetlb, rdma, unified (devices become a BPF filter: device-filter.ts).
// What cannot be applied is refused by refuseUnapplied(); kernel memory is ignored with
// a warning (resourceWarnings), as runc 1.2+ does. A limit silently skipped is a
// container other than the one asked for.

import { ConfigError } from '../errors'
import type { CPU, Memory, Network, Rdma, Resources } from '../spec/types'
import { v1BlkioWrites, v2IoWrites, type ReadGroupFile } from './blkio'
import type { CgroupMode } from './detect'
import { v1DeviceWrites } from './devices'
import { hugetlbWrites } from './hugetlb'
import { cgroupWrite as write, inCgroup2, type CgroupWrite } from './write'

export type { CgroupWrite } from './write'

/** What the host and the group hold now, where the writes depend on it. */
export interface HostFacts {
  /** v1 memory.limit_in_bytes; absent means unlimited, as in a new group */
  memoryLimit?: number
  /** v2 memory.current, for memory.checkBeforeUpdate */
  memoryUsage?: number
  /** a file of the container's group, for kernel features told apart by their files (BFQ weights) */
  read?: ReadGroupFile
  /** the host's huge page sizes as cgroup files name them ("2MB"); hugepageLimits must use one */
  hugePageSizes?: readonly string[]
  /** hybrid: controllers only the cgroup2 mount has (their writes go to the cgroup2 group in v2 form) */
  cgroup2Only?: readonly string[]
}

const noFile: ReadGroupFile = () => undefined

/** cpu.shares (v1, 2..262144) -> cpu.weight (v2, 1..10000), the linear mapping runc used up to 1.2 */
export function cpuSharesToWeight(shares: number): number {
  return shares === 0 ? 0 : 1 + Math.floor(((shares - 2) * 9999) / 262142)
}

function pidsWrites(limit: number | undefined): CgroupWrite[] {
  if (limit === undefined) return []
  // runtime-spec: -1 (any negative) is "no limit"; 0 is a real limit
  return [write('pids', 'pids.max', limit < 0 ? 'max' : limit)]
}

function cpusetWrites(cpu: CPU): CgroupWrite[] {
  const w: CgroupWrite[] = []
  if (cpu.cpus) w.push(write('cpuset', 'cpuset.cpus', cpu.cpus))
  if (cpu.mems) w.push(write('cpuset', 'cpuset.mems', cpu.mems))
  return w
}

function v1MemoryWrites(m: Memory, current: HostFacts): CgroupWrite[] {
  const limit = m.limit ?? 0
  // unlimited memory with swap unset means unlimited memory+swap too (where swap is accounted)
  const swapImplied = limit === -1 && !m.swap
  const swap = swapImplied ? -1 : (m.swap ?? 0)
  const limitW = limit !== 0 ? [write('memory', 'memory.limit_in_bytes', limit)] : []
  const swapW = swap !== 0 ? [write('memory', 'memory.memsw.limit_in_bytes', swap, swapImplied)] : []
  // The kernel keeps memsw >= memory at every step: raising both writes swap first.
  const swapFirst = limit !== 0 && swap !== 0 && (swap === -1 || (current.memoryLimit ?? Infinity) < swap)
  const w = swapFirst ? [...swapW, ...limitW] : [...limitW, ...swapW]
  if (m.reservation) w.push(write('memory', 'memory.soft_limit_in_bytes', m.reservation))
  if (m.disableOOMKiller) w.push(write('memory', 'memory.oom_control', 1))
  if (m.swappiness !== undefined && m.swappiness !== -1) {
    if (m.swappiness < 0 || m.swappiness > 100) {
      throw new ConfigError([`linux.resources.memory.swappiness: ${m.swappiness} is out of range 0-100`])
    }
    w.push(write('memory', 'memory.swappiness', m.swappiness))
  }
  // kernels since 5.x only accept 1 (hierarchy is always on): the kernel's refusal names the file
  if (m.useHierarchy !== undefined && m.useHierarchy !== null) w.push(write('memory', 'memory.use_hierarchy', m.useHierarchy ? 1 : 0))
  return w
}

function v1CpuWrites(cpu: CPU): CgroupWrite[] {
  const w: CgroupWrite[] = []
  if (cpu.shares) w.push(write('cpu', 'cpu.shares', cpu.shares))
  if (cpu.period) w.push(write('cpu', 'cpu.cfs_period_us', cpu.period))
  if (cpu.quota) w.push(write('cpu', 'cpu.cfs_quota_us', cpu.quota))
  if (cpu.burst !== undefined) w.push(write('cpu', 'cpu.cfs_burst_us', cpu.burst))
  // the period first: the kernel checks runtime against it
  if (cpu.realtimePeriod) w.push(write('cpu', 'cpu.rt_period_us', cpu.realtimePeriod))
  if (cpu.realtimeRuntime) w.push(write('cpu', 'cpu.rt_runtime_us', cpu.realtimeRuntime))
  if (cpu.idle !== undefined) w.push(write('cpu', 'cpu.idle', cpu.idle))
  return [...w, ...cpusetWrites(cpu)]
}

function networkWrites(n: Network): CgroupWrite[] {
  const w: CgroupWrite[] = []
  if (n.classID) w.push(write('net_cls', 'net_cls.classid', n.classID))
  for (const p of n.priorities ?? []) w.push(write('net_prio', 'net_prio.ifpriomap', `${p.name} ${p.priority}`))
  return w
}

/** rdma.max, one line per device (same form on v1 and v2); a device with no limit is no request */
function rdmaWrites(rdma: Record<string, Rdma>): CgroupWrite[] {
  return Object.keys(rdma).sort().flatMap(dev => {
    const { hcaHandles, hcaObjects } = rdma[dev] ?? {}
    const limits = [
      ...(hcaHandles !== undefined && hcaHandles !== null ? [`hca_handle=${hcaHandles}`] : []),
      ...(hcaObjects !== undefined && hcaObjects !== null ? [`hca_object=${hcaObjects}`] : []),
    ]
    return limits.length === 0 ? [] : [write('rdma', 'rdma.max', [dev, ...limits].join(' '))]
  })
}

/**
 * unified: each key a file of the cgroup2 group, each line of its value one write
 * (io.max takes one device per write). Written last, so a key wins over the
 * structured field it overlaps, as in runc.
 */
function unifiedWrites(unified: Record<string, string>): CgroupWrite[] {
  const problems: string[] = []
  const w: CgroupWrite[] = []
  for (const [key, value] of Object.entries(unified)) {
    const field = `linux.resources.unified[${JSON.stringify(key)}]`
    const dot = key.indexOf('.')
    if (key.includes('/') || dot <= 0 || dot === key.length - 1) {
      problems.push(`${field}: a key must name a file of the group as <controller>.<file>`)
      continue
    }
    const lines = String(value).split('\n').filter(l => l.trim() !== '')
    for (const line of lines.length > 0 ? lines : ['']) w.push({ ...write(key.slice(0, dot), key, line), field })
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return w
}

const hugetlbOf = (r: Resources, version: 1 | 2, facts: HostFacts): CgroupWrite[] =>
  r.hugepageLimits?.length ? hugetlbWrites(r.hugepageLimits, version, facts.hugePageSizes ?? []) : []

/** The writes for a cgroup v1 host, in order (on a hybrid host see resourceWrites). */
export function v1ResourceWrites(r: Resources, facts: HostFacts = {}): CgroupWrite[] {
  const hugetlbInCgroup2 = facts.cgroup2Only?.includes('hugetlb') ?? false
  return [
    ...(r.memory ? v1MemoryWrites(r.memory, facts) : []),
    ...(r.cpu ? v1CpuWrites(r.cpu) : []),
    ...pidsWrites(r.pids?.limit),
    ...(r.blockIO ? v1BlkioWrites(r.blockIO, facts.read ?? noFile) : []),
    ...(r.devices?.length ? v1DeviceWrites(r.devices) : []),
    ...(hugetlbInCgroup2 ? inCgroup2(hugetlbOf(r, 2, facts)) : hugetlbOf(r, 1, facts)),
    ...(r.network ? networkWrites(r.network) : []),
    ...(r.rdma ? rdmaWrites(r.rdma) : []),
  ]
}

// v2 spells "unlimited" as max; 0 means "not set" in the spec's memory fields
const v2Number = (n: number): string => (n === -1 ? 'max' : String(n))

/** spec swap is memory+swap; v2's memory.swap.max is swap alone */
function v2Swap(swap: number, limit: number): number {
  if (limit === -1 && swap === 0) return -1
  if (swap === -1 || swap === 0) return swap
  if (limit === 0 || limit === -1) throw new ConfigError(['linux.resources.memory.swap: a swap limit needs a memory limit on cgroup v2'])
  if (swap < limit) throw new ConfigError([`linux.resources.memory.swap (${swap}) must not be below memory.limit (${limit})`])
  return swap - limit
}

// cgroup v2 has no per-group swappiness and no switch to disable the OOM killer:
// those two settings have no file to go to and are left out, as runc does.
function v2MemoryWrites(m: Memory, facts: HostFacts): CgroupWrite[] {
  const limit = m.limit ?? 0
  checkBeforeUpdate(m, facts)
  const swapGiven = m.swap ?? 0
  if (limit === 0 && swapGiven === 0 && !m.reservation) return []
  const swap = v2Swap(swapGiven, limit)
  const w: CgroupWrite[] = []
  // swap equal to memory: no swap at all ("0"); a missing swap file only matters for a real limit
  if (swap !== 0 || swapGiven > 0) w.push(write('memory', 'memory.swap.max', v2Number(swap), swap === -1 || swap === 0))
  if (limit !== 0) w.push(write('memory', 'memory.max', v2Number(limit)))
  if (m.reservation) w.push(write('memory', 'memory.low', v2Number(m.reservation)))
  return w
}

function v2CpuWrites(cpu: CPU): CgroupWrite[] {
  const w: CgroupWrite[] = []
  if (cpu.shares) w.push(write('cpu', 'cpu.weight', cpuSharesToWeight(cpu.shares)))
  if (cpu.quota || cpu.period) {
    const quota = cpu.quota && cpu.quota > 0 ? String(cpu.quota) : 'max'
    w.push(write('cpu', 'cpu.max', cpu.period ? `${quota} ${cpu.period}` : quota))
  }
  if (cpu.burst !== undefined) w.push(write('cpu', 'cpu.max.burst', cpu.burst))
  if (cpu.idle !== undefined) w.push(write('cpu', 'cpu.idle', cpu.idle))
  return [...w, ...cpusetWrites(cpu)]
}

/**
 * memory.checkBeforeUpdate on v2: a limit at or below what the group uses now is
 * refused, as v1's kernel refuses it (v2's would invoke the OOM killer instead).
 */
function checkBeforeUpdate(m: Memory, facts: HostFacts): void {
  const limit = m.limit ?? 0
  if (!m.checkBeforeUpdate || limit <= 0) return
  const usage = facts.memoryUsage // read only when asked: memory.current of the group
  if (usage === undefined || usage < limit) return
  throw new ConfigError([`linux.resources.memory.limit: ${limit} is not above the current memory usage ${usage} (memory.checkBeforeUpdate is set)`])
}

/** The writes for a unified (v2-only) host, in order; unified keys last. */
export function v2ResourceWrites(r: Resources, facts: HostFacts = {}): CgroupWrite[] {
  return [
    ...(r.memory ? v2MemoryWrites(r.memory, facts) : []),
    ...(r.cpu ? v2CpuWrites(r.cpu) : []),
    ...pidsWrites(r.pids?.limit),
    ...(r.blockIO ? v2IoWrites(r.blockIO, facts.read ?? noFile) : []),
    ...hugetlbOf(r, 2, facts),
    ...(r.rdma ? rdmaWrites(r.rdma) : []),
    ...(r.unified ? unifiedWrites(r.unified) : []),
  ]
}

/** The writes for a host of this mode, in order: a hybrid host's unified keys go to its cgroup2 group, last. */
export function resourceWrites(r: Resources, mode: CgroupMode, facts: HostFacts = {}): CgroupWrite[] {
  if (mode === 'unified') return v2ResourceWrites(r, facts)
  const unified = mode === 'hybrid' && r.unified ? inCgroup2(unifiedWrites(r.unified)) : []
  return [...v1ResourceWrites(r, facts), ...unified]
}

/** Settings that are accepted but not applied, one warning line each (runc 1.2+ ignores kernel memory the same way). */
export function resourceWarnings(r: Resources): string[] {
  const w: string[] = []
  for (const key of ['kernel', 'kernelTCP'] as const) {
    if (setNumber(r.memory?.[key])) w.push(`linux.resources.memory.${key} is ignored: kernel memory limits are deprecated in the runtime-spec`)
  }
  return w
}

const nonEmpty = (x: object | undefined): boolean => x !== undefined && x !== null && Object.keys(x).length > 0
const setNumber = (n: number | undefined | null): boolean => n !== undefined && n !== null && n !== 0

/**
 * The resources runt cannot apply on this host, each named by its config pointer:
 * one ConfigError listing all of them, thrown before anything is written.
 */
export function refuseUnapplied(r: Resources, mode: CgroupMode): void {
  const v2 = mode === 'unified'
  const problems: string[] = []
  const refuse = (pointer: string, why: string) => problems.push(`linux.resources.${pointer}: ${why}`)
  const b = r.blockIO
  if (v2 && b) {
    if (setNumber(b.leafWeight)) refuse('blockIO.leafWeight', 'cgroup v2 has no leaf weights')
    ;(b.weightDevice ?? []).forEach((d, i) => {
      if (setNumber(d.leafWeight)) refuse(`blockIO.weightDevice[${i}].leafWeight`, 'cgroup v2 has no leaf weights')
    })
  }
  if (v2 && r.network && (setNumber(r.network.classID) || (r.network.priorities?.length ?? 0) > 0)) {
    refuse('network', 'net_cls and net_prio do not exist on cgroup v2 (classify traffic with the eBPF or nftables cgroup match instead)')
  }
  if (mode === 'legacy' && nonEmpty(r.unified)) refuse('unified', 'cgroup v2 files need a cgroup v2 hierarchy, and this host has only cgroup v1')
  if (v2 && r.memory?.useHierarchy === false) refuse('memory.useHierarchy', 'cgroup v2 memory accounting is always hierarchical')
  if (v2 && (setNumber(r.cpu?.realtimePeriod) || setNumber(r.cpu?.realtimeRuntime))) refuse('cpu.realtimeRuntime', 'realtime CPU limits do not exist on cgroup v2')
  if (problems.length > 0) throw new ConfigError(problems)
}
