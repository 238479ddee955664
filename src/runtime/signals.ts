// Signals by name or number, as `kill` accepts them: 9, KILL, SIGKILL, sigkill.

import { UsageError } from '../errors'
import { SIGNALS } from '../spec/linux-names'

const SIGRTMIN = 34
const SIGRTMAX = 64

export function parseSignal(text: string): number {
  const s = text.trim()
  if (/^\d+$/.test(s)) {
    const n = Number(s)
    if (n >= 1 && n <= SIGRTMAX) return n
  } else {
    const name = s.toUpperCase().replace(/^SIG/, '')
    if (name in SIGNALS) return SIGNALS[name]
    const rt = /^RTMIN(?:\+(\d+))?$/.exec(name) ?? /^RTMAX(?:-(\d+))?$/.exec(name)
    if (rt) {
      const n = name.startsWith('RTMIN') ? SIGRTMIN + Number(rt[1] ?? 0) : SIGRTMAX - Number(rt[1] ?? 0)
      if (n >= SIGRTMIN && n <= SIGRTMAX) return n
    }
  }
  throw new UsageError(`unknown signal "${text}"`)
}
