// config.json process -> the process settings of the launch plan.

import { ConfigError } from '../errors'
import { capabilityNumber, RLIMITS } from '../spec/linux-names'
import type { Capabilities, Process, ProcessRlimit } from '../spec/types'
import type { CapabilitySets, LaunchPlan, Rlimit } from './types'
import { planIoPriority, planScheduler } from './process-attributes'

export type ProcessPlan = Pick<
  LaunchPlan,
  | 'args' | 'env' | 'cwd' | 'uid' | 'gid' | 'additionalGids' | 'umask' | 'rlimits' | 'capabilities'
  | 'noNewPrivileges' | 'oomScoreAdj' | 'terminal' | 'consoleSize' | 'scheduler' | 'ioPriority' | 'apparmorProfile' | 'selinuxLabel'
>

/** runc's umask when the config gives none */
const DEFAULT_UMASK = 0o022
const U64_MAX = (1n << 64n) - 1n // RLIM_INFINITY

export function planProcess(process: Process): ProcessPlan {
  const user = process.user ?? {}
  return {
    args: [...(process.args ?? [])],
    env: [...(process.env ?? [])],
    cwd: process.cwd || '/',
    uid: user.uid ?? 0,
    gid: user.gid ?? 0,
    additionalGids: [...(user.additionalGids ?? [])],
    umask: user.umask ?? DEFAULT_UMASK,
    rlimits: (process.rlimits ?? []).map(planRlimit),
    capabilities: capabilitySets(process.capabilities),
    noNewPrivileges: process.noNewPrivileges ?? false,
    oomScoreAdj: process.oomScoreAdj ?? null,
    terminal: process.terminal ?? false,
    consoleSize: process.consoleSize ? { height: process.consoleSize.height, width: process.consoleSize.width } : null,
    scheduler: planScheduler(process.scheduler, '/process/scheduler'),
    ioPriority: planIoPriority(process.ioPriority, '/process/ioPriority'),
    // whether this host can apply them is checked before planning (runtime/lsm.ts)
    apparmorProfile: process.apparmorProfile || null,
    selinuxLabel: process.selinuxLabel || null,
  }
}

function planRlimit(rlimit: ProcessRlimit, i: number): Rlimit {
  const resource = RLIMITS[rlimit.type]
  if (resource === undefined) {
    throw new ConfigError([`/process/rlimits/${i}/type: unknown rlimit "${rlimit.type}"`])
  }
  return { resource, soft: rlimitValue(rlimit.soft), hard: rlimitValue(rlimit.hard) }
}

/**
 * JSON numbers above 2^53 arrive rounded, and 2^64-1 (unlimited) rounds up to
 * 2^64: clamp to RLIM_INFINITY instead of failing.
 */
function rlimitValue(value: number | bigint): bigint {
  const v = typeof value === 'bigint' ? value : BigInt(Math.trunc(value))
  return v > U64_MAX ? U64_MAX : v
}

/**
 * Each set becomes a mask (bit n = capability n). A missing set, or a missing
 * capabilities object, means no capabilities (as runc). Unknown names are
 * skipped as runc does (validation reports them).
 */
function capabilitySets(caps: Capabilities | undefined): CapabilitySets {
  return {
    bounding: capabilityMask(caps?.bounding),
    effective: capabilityMask(caps?.effective),
    permitted: capabilityMask(caps?.permitted),
    inheritable: capabilityMask(caps?.inheritable),
    ambient: capabilityMask(caps?.ambient),
  }
}

function capabilityMask(names: readonly string[] | undefined): bigint {
  let mask = 0n
  for (const name of names ?? []) {
    const n = capabilityNumber(name)
    if (n !== undefined) mask |= 1n << BigInt(n)
  }
  return mask
}
