// Go's time.ParseDuration syntax, as runc's `events --interval` takes it:
// a sequence of decimal numbers with units, "300ms", "1.5h", "2h45m", "-1s".

import { UsageError } from '../errors'

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5
  'μs': 1e-3, // U+03BC
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
}

/** Milliseconds (fractional) of a Go duration; UsageError naming the text otherwise. */
export function parseGoDuration(text: string): number {
  const bad = () => new UsageError(`time: invalid duration "${text}"`)
  let rest = text
  let sign = 1
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1
    rest = rest.slice(1)
  }
  if (rest === '0') return 0
  if (rest === '') throw bad()
  let total = 0
  while (rest !== '') {
    const m = /^(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)/.exec(rest)
    if (!m) throw bad()
    total += Number(m[1]) * UNIT_MS[m[2]]
    rest = rest.slice(m[0].length)
  }
  return sign * total
}
