// Count the leaf test points of a TAP 14 stream (stdin): subtest parents are not
// counted, only the assertions/tests that ran. Prints "N passed, N failed[, N skipped]"
// and exits 1 when anything failed or nothing ran.
import fs from 'node:fs'

const lines = fs.readFileSync(0, 'utf8').split('\n')
const parents = [] // indentation of open "# Subtest:" headers
let passed = 0, failed = 0, skipped = 0
for (const line of lines) {
  const indent = line.length - line.trimStart().length
  const text = line.trimStart()
  if (text.startsWith('# Subtest')) { parents.push(indent); continue }
  const m = /^(not )?ok\b/.exec(text)
  if (!m) continue
  if (parents.length && parents[parents.length - 1] === indent) { parents.pop(); continue }
  if (/#\s*(SKIP|TODO)\b/i.test(text)) skipped++
  else if (m[1]) failed++
  else passed++
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed > 0 || passed === 0 ? 1 : 0)
