// Count the leaf test points of a TAP 14 stream (stdin): subtest parents are not
// counted, only the assertions/tests that ran; a parent that failed without any
// failing point inside (a crash, a timeout) counts as one failure. Prints
// "N passed, N failed[, N skipped]" and exits 1 when anything failed or nothing ran.
import fs from 'node:fs'

const lines = fs.readFileSync(0, 'utf8').split('\n')
const open = [] // "# Subtest:" headers not closed yet: { indent, failedInside }
let passed = 0, failed = 0, skipped = 0
for (const line of lines) {
  const indent = line.length - line.trimStart().length
  const text = line.trimStart()
  if (text.startsWith('# Subtest')) { open.push({ indent, failedInside: false }); continue }
  const m = /^(not )?ok\b/.exec(text)
  if (!m) continue
  const notOk = m[1] !== undefined
  const top = open[open.length - 1]
  if (top && top.indent === indent) {
    open.pop()
    if (notOk && !top.failedInside) failed++
    if (notOk && open.length) open[open.length - 1].failedInside = true
    continue
  }
  if (/#\s*(SKIP|TODO)\b/i.test(text)) skipped++
  else if (notOk) {
    failed++
    for (const o of open) o.failedInside = true
  } else passed++
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
