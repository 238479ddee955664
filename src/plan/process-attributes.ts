// Scheduling and execution attributes of the container's process, as the executor
// applies them with one system call each: process.scheduler (sched_setattr),
// process.ioPriority (ioprio_set), linux.personality (personality) and
// linux.memoryPolicy (set_mempolicy). Here they are translated to numbers and checked
// for what the schema cannot express but the kernel would refuse with a bare EINVAL.

import { ConfigError } from '../errors'
import type { IOPriority, MemoryPolicy, Personality, Scheduler } from '../spec/types'
import { parseCpuList } from './cpu-list'
import type { MemoryPolicyPlan, SchedulerPlan } from './types'

const SCHED_POLICY: Record<string, number> = {
  SCHED_OTHER: 0, SCHED_FIFO: 1, SCHED_RR: 2, SCHED_BATCH: 3, SCHED_IDLE: 5, SCHED_DEADLINE: 6,
}
const SCHED_FLAG: Record<string, number> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01, SCHED_FLAG_RECLAIM: 0x02, SCHED_FLAG_DL_OVERRUN: 0x04, SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10, SCHED_FLAG_UTIL_CLAMP_MIN: 0x20, SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
}
/** the kernel's smallest SCHED_DEADLINE runtime, in ns (1 << DL_SCALE) */
const DL_MIN_RUNTIME = 1024

/** sched_setattr(2) values of process.scheduler; null when absent. */
export function planScheduler(s: Scheduler | undefined, pointer: string): SchedulerPlan | null {
  if (s === undefined) return null
  const problems: string[] = []
  const policy = SCHED_POLICY[s.policy]
  if (policy === undefined) {
    const why = s.policy === 'SCHED_ISO' ? 'SCHED_ISO is reserved and not implemented by Linux' : `unknown policy "${s.policy}"`
    throw new ConfigError([`${pointer}/policy: ${why}`])
  }
  const nice = s.nice ?? 0
  const priority = s.priority ?? 0
  const realtime = s.policy === 'SCHED_FIFO' || s.policy === 'SCHED_RR'
  if (!Number.isInteger(nice) || nice < -20 || nice > 19) problems.push(`${pointer}/nice: ${nice} is not a nice value (-20 to 19)`)
  if (realtime && (!Number.isInteger(priority) || priority < 1 || priority > 99)) {
    problems.push(`${pointer}/priority: ${s.policy} needs a priority from 1 to 99, not ${priority}`)
  }
  if (!realtime && priority !== 0) problems.push(`${pointer}/priority: only SCHED_FIFO and SCHED_RR have a priority; ${s.policy} needs 0`)

  const runtime = s.runtime ?? 0
  const deadline = s.deadline ?? 0
  const period = s.period ?? 0
  if (s.policy === 'SCHED_DEADLINE') {
    if (runtime < DL_MIN_RUNTIME) problems.push(`${pointer}/runtime: SCHED_DEADLINE needs a runtime of at least ${DL_MIN_RUNTIME} ns`)
    if (deadline < runtime) problems.push(`${pointer}/deadline: must be at least the runtime (${runtime} ns)`)
    if (period !== 0 && period < deadline) problems.push(`${pointer}/period: must be 0 or at least the deadline (${deadline} ns)`)
  } else {
    for (const [field, v] of [['runtime', runtime], ['deadline', deadline], ['period', period]] as const) {
      if (v !== 0) problems.push(`${pointer}/${field}: only SCHED_DEADLINE uses it; ${s.policy} needs 0 or nothing`)
    }
  }
  let flags = 0
  for (const [i, name] of (s.flags ?? []).entries()) {
    const bit = SCHED_FLAG[name]
    if (bit === undefined) problems.push(`${pointer}/flags/${i}: unknown flag "${name}"`)
    else flags |= bit
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return { policy, nice, priority, flags, runtime: BigInt(runtime), deadline: BigInt(deadline), period: BigInt(period) }
}

const IOPRIO_CLASS: Record<string, number> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 }
const IOPRIO_CLASS_SHIFT = 13

/** The ioprio_set(2) value (class << 13 | level) of process.ioPriority; null when absent. */
export function planIoPriority(p: IOPriority | undefined, pointer: string): number | null {
  if (p === undefined) return null
  const cls = IOPRIO_CLASS[p.class]
  if (cls === undefined) throw new ConfigError([`${pointer}/class: unknown class "${p.class}"`])
  const level = p.priority ?? 0
  if (!Number.isInteger(level) || level < 0 || level > 7) throw new ConfigError([`${pointer}/priority: ${level} is not a level from 0 to 7`])
  return (cls << IOPRIO_CLASS_SHIFT) | level
}

const PERSONALITY_DOMAIN: Record<string, number> = { LINUX: 0x0000, LINUX32: 0x0008 }

/** The personality(2) value of linux.personality; null when absent. */
export function planPersonality(p: Personality | undefined): number | null {
  if (p === undefined) return null
  const domain = PERSONALITY_DOMAIN[p.domain ?? '']
  if (domain === undefined) throw new ConfigError([`/linux/personality/domain: unknown domain "${p.domain}" (LINUX or LINUX32)`])
  if ((p.flags ?? []).length > 0) {
    throw new ConfigError(['/linux/personality/flags: runtime-spec 1.3.0 defines no personality flags; runt accepts none'])
  }
  return domain
}

const MPOL_MODE: Record<string, number> = {
  MPOL_DEFAULT: 0, MPOL_PREFERRED: 1, MPOL_BIND: 2, MPOL_INTERLEAVE: 3, MPOL_LOCAL: 4,
  MPOL_PREFERRED_MANY: 5, MPOL_WEIGHTED_INTERLEAVE: 6,
}
const MPOL_FLAG: Record<string, number> = {
  MPOL_F_NUMA_BALANCING: 1 << 13, MPOL_F_RELATIVE_NODES: 1 << 14, MPOL_F_STATIC_NODES: 1 << 15,
}
/** what `runt features` reports as recognized */
export const MEMORY_POLICY_MODES = Object.keys(MPOL_MODE)
export const MEMORY_POLICY_FLAGS = Object.keys(MPOL_FLAG)

/** modes that take no nodes, and those that need at least one (MPOL_PREFERRED takes either) */
const NO_NODES = new Set(['MPOL_DEFAULT', 'MPOL_LOCAL'])
const NEEDS_NODES = new Set(['MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_WEIGHTED_INTERLEAVE', 'MPOL_PREFERRED_MANY'])

/**
 * The set_mempolicy(2) arguments of linux.memoryPolicy; null when absent. onlineNodes
 * are the host's NUMA nodes (null: unknown); a node outside them is refused here,
 * unless MPOL_F_RELATIVE_NODES makes the numbers relative.
 */
export function planMemoryPolicy(mp: MemoryPolicy | undefined, onlineNodes: readonly number[] | null): MemoryPolicyPlan | null {
  if (mp === undefined) return null
  const at = '/linux/memoryPolicy'
  const mode = MPOL_MODE[mp.mode ?? '']
  if (mode === undefined) throw new ConfigError([`${at}/mode: unknown mode "${mp.mode}"`])
  const problems: string[] = []
  let flags = 0
  for (const [i, name] of (mp.flags ?? []).entries()) {
    const bit = MPOL_FLAG[name]
    if (bit === undefined) problems.push(`${at}/flags/${i}: unknown flag "${name}"`)
    else flags |= bit
  }
  const nodes = mp.nodes === undefined || mp.nodes.trim() === '' ? [] : parseNodeList(mp.nodes)
  const name = mp.mode!
  if (NO_NODES.has(name) && nodes.length > 0) problems.push(`${at}/nodes: ${name} takes no nodes`)
  if (NEEDS_NODES.has(name) && nodes.length === 0) problems.push(`${at}/nodes: ${name} needs at least one node`)
  if (name === 'MPOL_DEFAULT' && flags !== 0) problems.push(`${at}/flags: MPOL_DEFAULT takes no flags`)
  if ((flags & MPOL_FLAG.MPOL_F_STATIC_NODES!) && (flags & MPOL_FLAG.MPOL_F_RELATIVE_NODES!)) {
    problems.push(`${at}/flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other`)
  }
  if ((flags & MPOL_FLAG.MPOL_F_NUMA_BALANCING!) && name !== 'MPOL_BIND' && name !== 'MPOL_PREFERRED_MANY') {
    problems.push(`${at}/flags: MPOL_F_NUMA_BALANCING goes with MPOL_BIND or MPOL_PREFERRED_MANY only`)
  }
  if (onlineNodes !== null && !(flags & MPOL_FLAG.MPOL_F_RELATIVE_NODES!)) {
    const missing = nodes.filter(n => !onlineNodes.includes(n))
    if (missing.length > 0) {
      problems.push(`${at}/nodes: node ${missing.join(', ')} is not online on this host (online: ${onlineNodes.join(',') || 'none'})`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return { mode, flags, nodes }
}

function parseNodeList(list: string): number[] {
  try {
    return parseCpuList(list, '/linux/memoryPolicy/nodes') ?? []
  } catch {
    throw new ConfigError([`/linux/memoryPolicy/nodes: ${JSON.stringify(list)} is not a node list (like "0-3,7", nodes 0 to 1023)`])
  }
}
