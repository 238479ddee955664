// runt events [--stats] [--interval D] <id>: the container's cgroup statistics as
// runc prints them, once (--stats) or every interval, plus an "oom" event whenever the
// OOM killer strikes in the container. OOM is detected by polling the kernel's
// oom_kill counter (v1 memory.oom_control, v2 memory.events). The stream ends when
// the container stops.

import { StatusError, UsageError } from '../errors'
import type { GlobalOptions } from './context'
import { openContainer } from '../runtime/container'
import { containerCgroupManager } from '../runtime/container-cgroups'
import { goJson, type Stats } from '../cgroups/stats'
import { parseGoDuration } from '../cgroups/go-duration'
import { initIsAlive } from '../state/status'

// how often the stream looks for OOM kills and for the container's end
const POLL_MS = 100

function emit(line: string): Promise<void> {
  return new Promise(resolve => process.stdout.write(line + '\n', () => resolve()))
}

const statsEvent = (id: string, data: Stats) => `{"type":"stats","id":${JSON.stringify(id)},"data":${goJson(data)}}`
const oomEvent = (id: string) => `{"type":"oom","id":${JSON.stringify(id)}}`
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

export async function events(g: GlobalOptions, [id]: string[], opts: Record<string, unknown>): Promise<number> {
  const intervalMs = parseGoDuration(String(opts.interval ?? '5s'))
  if (intervalMs <= 0) throw new UsageError('duration interval must be greater than 0')
  // read what is needed under the lock, then let go: a long stream must not block kill or delete
  const c = openContainer(g, id)
  let cgroups
  try {
    if (c.status === 'stopped' || c.record === null) throw new StatusError('container not running', { id })
    cgroups = containerCgroupManager(c)!
  } finally {
    c.handle.release()
  }
  const rec = c.record

  if (opts.stats === true) {
    await emit(statsEvent(id, cgroups.stats()))
    return 0
  }

  let ooms = cgroups.oomKills()
  const reportOoms = async () => {
    const now = cgroups.oomKills()
    for (; ooms < now; ooms++) await emit(oomEvent(id))
  }
  let nextStats = Date.now() + intervalMs
  while (initIsAlive(rec)) {
    await reportOoms()
    if (Date.now() >= nextStats) {
      await emit(statsEvent(id, cgroups.stats()))
      nextStats += intervalMs
    }
    await sleep(Math.max(1, Math.min(POLL_MS, nextStats - Date.now())))
  }
  await reportOoms() // the kill that ended the container
  return 0
}
