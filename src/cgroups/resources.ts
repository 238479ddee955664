// linux.resources -> the ordered cgroup file writes that apply them (pure).
// Covered: memory (limit, reservation, swap, swappiness, disableOOMKiller), cpu
// (shares, quota, period, burst, idle, cpus, mems; realtime on v1), pids; on v1 also
// devices and blockIO throttling (on v2, devices become a BPF filter: device-filter.ts). Everything else is refused by refuseUnapplied():
// a limit silently skipped is a container other than the one asked for.

import { ConfigError } from '../errors'
import type { BlockIO, BlockIODeviceThrottle, CPU, Memory, Resources } from '../spec/types'
import type { CgroupMode } from './detect'
import { v1DeviceWrites } from './devices'

export interface CgroupWrite {
  /** the controller owning the file: on v1 it picks the hierarchy */
  controller: string
  file: string
  value: string
  /** skip silently when the kernel has no such file (swap accounting disabled) */
  ifExists?: boolean
}

/** What the group holds now, where the order of writes depends on it. */
export interface CurrentSettings {
  /** v1 memory.limit_in_bytes; absent means unlimited, as in a new group */
  memoryLimit?: number
}

const write = (controller: string, file: string, value: string | number, ifExists?: boolean): CgroupWrite =>
  ifExists ? { controller, file, value: String(value), ifExists } : { controller, file, value: String(value) }

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

function v1MemoryWrites(m: Memory, current: CurrentSettings): CgroupWrite[] {
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

const THROTTLES: [keyof BlockIO, string][] = [
  ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'],
  ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
  ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'],
  ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
]

function v1BlkioWrites(b: BlockIO): CgroupWrite[] {
  const w: CgroupWrite[] = []
  for (const [field, file] of THROTTLES) {
    for (const d of (b[field] as BlockIODeviceThrottle[] | undefined) ?? []) w.push(write('blkio', file, `${d.major}:${d.minor} ${d.rate ?? 0}`))
  }
  return w
}

/** The writes for a cgroup v1 (or hybrid) host, in order. */
export function v1ResourceWrites(r: Resources, current: CurrentSettings = {}): CgroupWrite[] {
  return [
    ...(r.memory ? v1MemoryWrites(r.memory, current) : []),
    ...(r.cpu ? v1CpuWrites(r.cpu) : []),
    ...pidsWrites(r.pids?.limit),
    ...(r.blockIO ? v1BlkioWrites(r.blockIO) : []),
    ...(r.devices?.length ? v1DeviceWrites(r.devices) : []),
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
function v2MemoryWrites(m: Memory): CgroupWrite[] {
  const limit = m.limit ?? 0
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

/** The writes for a unified (v2-only) host, in order. */
export function v2ResourceWrites(r: Resources): CgroupWrite[] {
  return [
    ...(r.memory ? v2MemoryWrites(r.memory) : []),
    ...(r.cpu ? v2CpuWrites(r.cpu) : []),
    ...pidsWrites(r.pids?.limit),
  ]
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
  if (b) {
    if (v2 && nonEmpty(b)) refuse('blockIO', 'not supported by runt on cgroup v2 yet')
    if (!v2 && (setNumber(b.weight) || setNumber(b.leafWeight) || (b.weightDevice?.length ?? 0) > 0)) {
      refuse('blockIO.weight', 'block IO weights are not supported by runt yet (only throttling)')
    }
  }
  if ((r.hugepageLimits?.length ?? 0) > 0) refuse('hugepageLimits', 'not supported by runt yet')
  if (r.network && (setNumber(r.network.classID) || (r.network.priorities?.length ?? 0) > 0)) refuse('network', 'not supported by runt yet')
  if (nonEmpty(r.rdma)) refuse('rdma', 'not supported by runt yet')
  if (nonEmpty(r.unified)) refuse('unified', 'not supported by runt yet')
  if (setNumber(r.memory?.kernel)) refuse('memory.kernel', 'kernel memory limits are not supported (deprecated in the runtime-spec)')
  if (setNumber(r.memory?.kernelTCP)) refuse('memory.kernelTCP', 'kernel TCP memory limits are not supported (deprecated in the runtime-spec)')
  if (v2 && (setNumber(r.cpu?.realtimePeriod) || setNumber(r.cpu?.realtimeRuntime))) refuse('cpu.realtimeRuntime', 'realtime CPU limits do not exist on cgroup v2')
  if (problems.length > 0) throw new ConfigError(problems)
}
