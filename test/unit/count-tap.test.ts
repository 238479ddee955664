// .ci/count-tap.mjs over what .ci/run feeds it: the host suite's TAP followed by
// test/v2/run.sh's (each VM file a subtest; a file that died, or the VM, is one "not ok").
import t from 'tap'
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const script = path.resolve(__dirname, '..', '..', '.ci', 'count-tap.mjs')
const count = (tap: string) => {
  const r = spawnSync(process.execPath, [script], { input: tap, encoding: 'utf8' })
  return { line: r.stdout.trim(), status: r.status }
}

const host = [
  'TAP version 14',
  '# Subtest: test/unit/a.test.ts',
  '    ok 1 - one',
  '    ok 2 - two',
  '    1..2',
  'ok 1 - test/unit/a.test.ts',
  '1..1',
].join('\n')

/** A v2 file as run.sh prints it: its own TAP indented under our header. */
const v2File = (n: number, name: string, inner: string[], ok: boolean) =>
  [`# Subtest: ${name}`, ...inner.map(l => `    ${l}`), ok ? `ok ${n} - ${name}` : `not ok ${n} - ${name} # exit status 1`]

t.test('host and v2 points add up', async t => {
  const v2 = v2File(1, 'test_v2_x.test', ['TAP version 14', '# Subtest: story', '    ok 1 - a', '    not ok 2 - b', '    1..2', 'not ok 1 - story', '1..1'], false)
  t.same(count(`${host}\n${v2.join('\n')}\n1..1\n`), { line: '3 passed, 1 failed', status: 1 }, 'the failing point counts once, not its parents too')
})

t.test('a v2 file that died without a failing point is one failure', async t => {
  const v2 = v2File(1, 'test_v2_x.test', ['TAP version 14', '# Subtest: story', '    ok 1 - a'], false)
  t.same(count(`${host}\n${v2.join('\n')}\n1..1\n`), { line: '3 passed, 1 failed', status: 1 })
})

t.test('the VM failing mid-file (run.sh\'s line for exit 125) is one failure', async t => {
  const v2 = ['# Subtest: test_v2_x.test', '    TAP version 14', '    # Subtest: story', '        ok 1 - a']
  const tap = `${host}\n${v2.join('\n')}\nnot ok - cgroup v2 suite: the VM failed (run-in-v2-vm.sh exit 125)\n`
  t.same(count(tap), { line: '3 passed, 1 failed', status: 1 })
})

t.test('the skip line of a host without the VM tool counts nothing', async t => {
  const tap = `${host}\n# cgroup v2 suite skipped: run-in-v2-vm.sh is neither in x nor in y\n`
  t.same(count(tap), { line: '2 passed, 0 failed', status: 0 })
})
