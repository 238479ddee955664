// A container's status is never stored: it is derived from the live system each time,
// the way runc does it. The init's pid alone is not proof of life (pids are recycled),
// so the record keeps the process start time and both must match.

import fs from 'node:fs'
import path from 'node:path'
import type { ContainerRecord } from './store'

export type Status = 'created' | 'running' | 'paused' | 'stopped'

export interface ProcStat {
  /** field 3: R, S, D, Z (zombie), X (dead), ... */
  state: string
  /** field 22: start time in clock ticks after boot, kept as text as it is compared, not computed */
  startTime: string
}

/**
 * Parse the text of /proc/<pid>/stat. The command name (field 2) is in parentheses
 * and may itself contain spaces and ')', so the fixed fields start after the last ')'.
 */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')')
  if (close < 0) return null
  const fields = text.slice(close + 1).trim().split(/\s+/) // fields[0] is field 3
  if (fields.length < 20) return null
  return { state: fields[0], startTime: fields[19] }
}

/** /proc/<pid>/stat of a process, or null when there is no such process. */
export function readProcStat(pid: number, procRoot = '/proc'): ProcStat | null {
  if (!Number.isInteger(pid) || pid <= 0) return null
  try {
    // utf8, not latin1: node reads it in one native call (latin1 goes through its
    // JavaScript read loop, half a millisecond at its first use); the fields after the
    // command name are ASCII either way
    return parseProcStat(fs.readFileSync(path.join(procRoot, String(pid), 'stat'), 'utf8'))
  } catch {
    return null
  }
}

/** Start time (field 22 of /proc/<pid>/stat) as a string, or null when the process is gone. */
export function processStartTime(pid: number, procRoot = '/proc'): string | null {
  return readProcStat(pid, procRoot)?.startTime ?? null
}

export interface StatusProbes {
  /** cgroup freezer state (src/runtime/container.ts supplies it); absent: nothing is paused */
  isFrozen?: (rec: ContainerRecord) => boolean
  /** where to read process stats (tests use a fake tree) */
  procRoot?: string
}

/** True while the recorded init process exists, is not a zombie, and is the same process. */
export function initIsAlive(rec: ContainerRecord, procRoot = '/proc'): boolean {
  const stat = readProcStat(rec.initPid, procRoot)
  if (stat === null || stat.state === 'Z' || stat.state === 'X') return false
  return stat.startTime === rec.initStartTime
}

/**
 * runc's order: a frozen cgroup means paused; else a dead (or recycled) init means
 * stopped; else the exec fifo still waiting for `start` means created; else running.
 */
export function containerStatus(rec: ContainerRecord, dir: string, probes: StatusProbes = {}): Status {
  if (probes.isFrozen?.(rec)) return 'paused'
  if (!initIsAlive(rec, probes.procRoot)) return 'stopped'
  if (fs.existsSync(path.join(dir, 'exec.fifo'))) return 'created'
  return 'running'
}
