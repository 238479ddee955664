// `update`: what runc's flags mean as linux.resources, and how an update merges into
// the resources a container already has (pure). As in runc, a zero (or absent) value
// leaves the current setting alone; devices are never updated.

import { UsageError } from '../errors'
import type { Resources } from '../spec/types'

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }

/** docker's RAMInBytes: "512", "64k", "1.5g", "2GiB", "100MB" (binary units); "-1" means unlimited. */
export function parseMemoryBytes(text: string, flag: string): number {
  if (text === '-1') return -1
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(text.trim())
  if (!m) throw new UsageError(`${flag}: invalid size "${text}"`)
  return Math.floor(Number(m[1]) * UNITS[m[2].toLowerCase()])
}

function parseInteger(text: string, flag: string, signed: boolean): number {
  if (!(signed ? /^-?\d+$/ : /^\d+$/).test(text)) throw new UsageError(`${flag}: "${text}" is not ${signed ? 'an' : 'a non-negative'} integer`)
  return Number(text)
}

type Flags = Record<string, unknown>

/** runc update's individual flags as a LinuxResources object (only the flags given). */
export function resourcesFromFlags(opts: Flags): Resources {
  const str = (name: string): string | undefined => (opts[name] === undefined ? undefined : String(opts[name]))
  const uint = (name: string, flag: string) => (str(name) === undefined ? undefined : parseInteger(str(name)!, flag, false))
  const int = (name: string, flag: string) => (str(name) === undefined ? undefined : parseInteger(str(name)!, flag, true))
  const bytes = (name: string, flag: string) => (str(name) === undefined ? undefined : parseMemoryBytes(str(name)!, flag))
  const r: Resources = {
    memory: dropUndefined({
      limit: bytes('memory', '--memory'),
      reservation: bytes('memoryReservation', '--memory-reservation'),
      swap: bytes('memorySwap', '--memory-swap'),
      kernel: bytes('kernelMemory', '--kernel-memory'),
      kernelTCP: bytes('kernelMemoryTcp', '--kernel-memory-tcp'),
    }),
    cpu: dropUndefined({
      shares: uint('cpuShare', '--cpu-share'),
      period: uint('cpuPeriod', '--cpu-period'),
      quota: int('cpuQuota', '--cpu-quota'),
      burst: uint('cpuBurst', '--cpu-burst'),
      realtimePeriod: uint('cpuRtPeriod', '--cpu-rt-period'),
      realtimeRuntime: int('cpuRtRuntime', '--cpu-rt-runtime'),
      idle: int('cpuIdle', '--cpu-idle'),
      cpus: str('cpusetCpus'),
      mems: str('cpusetMems'),
    }),
    blockIO: dropUndefined({ weight: uint('blkioWeight', '--blkio-weight') }),
  }
  const pids = int('pidsLimit', '--pids-limit')
  if (pids !== undefined) r.pids = { limit: pids }
  return r
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}

// "set" in runc's sense: a value the update means to change
const given = (v: unknown): boolean => v !== undefined && v !== null && v !== 0 && v !== ''

function mergeFields<T extends object>(current: T | undefined, update: T | undefined): T | undefined {
  if (update === undefined || update === null) return current
  const out = { ...(current ?? {}) } as Record<string, unknown>
  for (const [k, v] of Object.entries(update)) if (given(v)) out[k] = v
  return Object.keys(out).length === 0 && current === undefined ? undefined : (out as T)
}

/**
 * The container's resources after an update: each non-zero value replaces the current
 * one; lists (throttles, hugepages) replace the current list when given; devices stay.
 */
export function mergeResources(current: Resources, update: Resources): Resources {
  const merged: Resources = { ...current }
  const memory = mergeFields(current.memory, update.memory)
  if (memory) merged.memory = memory
  const cpu = mergeFields(current.cpu, update.cpu)
  if (cpu) merged.cpu = cpu
  const blockIO = mergeFields(current.blockIO, update.blockIO)
  if (blockIO && Object.keys(blockIO).length > 0) merged.blockIO = blockIO
  if (update.pids && given(update.pids.limit)) merged.pids = { limit: update.pids.limit }
  for (const key of ['hugepageLimits', 'network', 'rdma', 'unified'] as const) {
    if (update[key] !== undefined) (merged as Record<string, unknown>)[key] = update[key]
  }
  return merged
}
