import t from 'tap'
import { nowEpochNanos, rfc3339Local, rfc3339Nano } from '../../src/state/time'

t.test('RFC3339Nano trims trailing zeros of the fraction, as Go does', async t => {
  const base = BigInt(Date.UTC(2026, 0, 2, 3, 4, 5)) * 1_000_000n
  t.equal(rfc3339Nano(base + 123_456_789n), '2026-01-02T03:04:05.123456789Z')
  t.equal(rfc3339Nano(base + 120_000_000n), '2026-01-02T03:04:05.12Z')
  t.equal(rfc3339Nano(base + 1n), '2026-01-02T03:04:05.000000001Z')
  t.equal(rfc3339Nano(base), '2026-01-02T03:04:05Z', 'no fraction, no dot')
})

t.test('the current time in nanoseconds agrees with the wall clock', async t => {
  const before = BigInt(Date.now())
  const ns = nowEpochNanos()
  const after = BigInt(Date.now())
  t.ok(ns / 1_000_000n >= before - 1n && ns / 1_000_000n <= after + 1n, `${ns} within [${before}, ${after}] ms`)
  t.match(rfc3339Nano(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/)
})

t.test('RFC3339 in the local zone, seconds precision', async t => {
  const when = new Date(Date.UTC(2026, 7, 22, 10, 0, 0, 999))
  const text = rfc3339Local(when)
  t.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/)
  const parsed = Date.parse(text)
  t.equal(parsed, Date.UTC(2026, 7, 22, 10, 0, 0), 'names the same instant (fraction dropped)')
  if (when.getTimezoneOffset() === 0) t.equal(text, '2026-08-22T10:00:00Z')
})
