import t from 'tap'
import { mutate, prng } from '../fuzz/mutator'

const BASE = { ociVersion: '1.3.0', process: { args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 } }, root: { path: 'rootfs' }, linux: { namespaces: [{ type: 'pid' }] } }

t.test('the same seed gives the same mutant, other seeds other mutants', async t => {
  t.same(mutate(42, 'b', BASE), mutate(42, 'b', BASE))
  const texts = new Set(Array.from({ length: 50 }, (_, i) => mutate(i, 'b', BASE).text))
  t.ok(texts.size > 40, `${texts.size} distinct mutants of 50`)
  t.same(BASE.process.args, ['sh'], 'the base is not changed')
})

t.test('prng is deterministic and in [0, 1)', async t => {
  const a = prng(1), b = prng(1)
  for (let i = 0; i < 100; i++) {
    const x = a()
    t.equal(x, b())
    if (x < 0 || x >= 1) t.fail(`out of range: ${x}`)
  }
})

t.test('every mutant says what was done, and deep nesting is real nesting in the text', async t => {
  let deep = 0
  for (let seed = 0; seed < 400; seed++) {
    const m = mutate(seed, 'b', BASE)
    if (m.mutations.length === 0) t.fail(`seed ${seed}: no mutation recorded`)
    if (m.text.includes('\\u0001deep')) t.fail(`seed ${seed}: placeholder left in the text`)
    if (/\[\[\[\[|\{"a":\{"a":/.test(m.text)) deep++
  }
  t.ok(deep > 0, 'some mutants nest deeply')
})
