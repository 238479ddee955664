// Timestamps as Go prints them, because callers parse runc's output with Go's time
// package: RFC3339Nano for a container's creation time, RFC3339 for log lines.

/** Nanoseconds since the epoch, from the wall clock with sub-millisecond precision. */
export function nowEpochNanos(): bigint {
  // timeOrigin + now() is a wall-clock reading in fractional milliseconds; keep the
  // whole milliseconds as an integer so the sum never loses precision to a double.
  const origin = performance.timeOrigin
  const wholeMs = Math.floor(origin)
  const fractionNs = Math.round((origin - wholeMs + performance.now()) * 1e6)
  return BigInt(wholeMs) * 1_000_000n + BigInt(fractionNs)
}

/** Go's time.RFC3339Nano in UTC: fraction with trailing zeros trimmed, no dot when zero. */
export function rfc3339Nano(epochNanos: bigint = nowEpochNanos()): string {
  const ms = epochNanos / 1_000_000n
  const seconds = new Date(Number(ms)).toISOString().slice(0, 19)
  const nanos = ((epochNanos % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n
  const fraction = nanos.toString().padStart(9, '0').replace(/0+$/, '')
  return `${seconds}${fraction ? `.${fraction}` : ''}Z`
}

/** Go's time.RFC3339 in the local zone ("Z" for UTC, else "+hh:mm"), as logrus stamps lines. */
export function rfc3339Local(date: Date = new Date()): string {
  const offsetMin = -date.getTimezoneOffset()
  const local = new Date(date.getTime() + offsetMin * 60_000).toISOString().slice(0, 19)
  if (offsetMin === 0) return `${local}Z`
  const sign = offsetMin > 0 ? '+' : '-'
  const abs = Math.abs(offsetMin)
  const hh = String(Math.floor(abs / 60)).padStart(2, '0')
  const mm = String(abs % 60).padStart(2, '0')
  return `${local}${sign}${hh}:${mm}`
}
