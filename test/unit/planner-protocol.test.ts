// The front-end (C) and the planner (TypeScript) speak the same protocol: the numbers
// in native/front/protocol.h are the ones src/planner/protocol.ts uses.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { Fp, PROTOCOL, SPAWN_CONSOLE, SPAWN_FIFO, cstrings, splitCStrings, words } from '../../src/planner/protocol'

const header = fs.readFileSync(path.join(__dirname, '..', '..', 'native', 'front', 'protocol.h'), 'utf8')
const defines = new Map([...header.matchAll(/^#define (RUNT_\w+) (.+)$/gm)].map(m => [m[1], m[2].trim()]))

t.test('every message type has the same number on both sides', async t => {
  const inC = [...defines].filter(([name]) => /^RUNT_FP_[A-Z]+$/.test(name) && !name.startsWith('RUNT_FP_MAX'))
  t.same(inC.map(([name]) => name.replace('RUNT_FP_', '')).sort(), Object.keys(Fp).sort(), 'the same messages')
  for (const [name, value] of inC) t.equal(Number(value), Fp[name.replace('RUNT_FP_', '') as keyof typeof Fp], name)
})

t.test('the protocol name and the SPAWN flags agree', async t => {
  t.equal(defines.get('RUNT_PLANNER_PROTOCOL'), JSON.stringify(PROTOCOL))
  t.equal(Number(defines.get('RUNT_FP_SPAWN_FIFO')), SPAWN_FIFO)
  t.equal(Number(defines.get('RUNT_FP_SPAWN_CONSOLE')), SPAWN_CONSOLE)
})

t.test('payload helpers: little-endian words and NUL-terminated strings', async t => {
  t.same([...words(1, -1)], [1, 0, 0, 0, 255, 255, 255, 255])
  t.same(splitCStrings(cstrings('a', '', 'b=c')), ['a', '', 'b=c'])
  t.same(splitCStrings(Buffer.concat([words(7), cstrings('x')]), 4), ['x'])
})
