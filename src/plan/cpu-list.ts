// CPU lists as the kernel and the runtime-spec write them: "0-3,7".

import { ConfigError } from '../errors'

const MAX_CPU = 1023 // the executor's cpu_set_t

/** The CPUs of a list, sorted; null for an absent list; ConfigError (at pointer) when malformed. */
export function parseCpuList(list: string | undefined, pointer: string): number[] | null {
  if (list === undefined) return null
  const cpus = new Set<number>()
  for (const part of list.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part)
    const from = m ? Number(m[1]) : NaN
    const to = m?.[2] !== undefined ? Number(m[2]) : from
    if (!m || from > to || to > MAX_CPU) {
      throw new ConfigError([`${pointer}: ${JSON.stringify(list)} is not a CPU list (like "0-3,7", CPUs 0 to ${MAX_CPU})`])
    }
    for (let cpu = from; cpu <= to; cpu++) cpus.add(cpu)
  }
  return [...cpus].sort((a, b) => a - b)
}
