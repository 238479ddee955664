// Capabilities the running kernel does not have (newer than its cap_last_cap): like runc,
// runt warns and leaves them out (the executor masks them) instead of failing capset(2).

import fs from 'node:fs'
import { log } from '../log'
import type { Process } from '../spec/types'
import { capabilitiesAbove } from '../spec/linux-names'

/** Warn about the capabilities of process this kernel lacks. */
export function warnUnavailableCapabilities(process: Process | undefined, id: string): void {
  if (!process?.capabilities) return
  let lastCap: number
  try {
    lastCap = Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8').trim())
  } catch {
    return // the executor reads it too, and fails there with the path
  }
  const missing = capabilitiesAbove(process.capabilities as Record<string, string[] | undefined>, lastCap)
  if (missing.length > 0) {
    log().warn(`ignoring capabilities this kernel does not have (cap_last_cap is ${lastCap}): ${missing.join(', ')}`, { id })
  }
}
