// A state root someone tampered with (issue 7): a corrupt or truncated state.json, a
// container directory replaced by a symlink to a directory elsewhere, ids that aim at
// path traversal. Every command gives one clear line and a non-zero status, never a
// stack trace, and never follows the symlink out of --root.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { containerSuite, shBundle, tempDir, type Result } from './helpers'
import { runtAsync } from './stop-point'

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite
  const runtA = runtAsync(root)
  const bundle = shBundle('exec sleep 71717')
  t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))

  /** commands that take an id, with that id (all of them open it through one path: openContainer) */
  const commands = (id: string) => [
    ['state', id], ['start', id], ['kill', id, 'KILL'], ['delete', '--force', id], ['exec', id, 'true'], ['pause', id],
  ]
  const clearFailure = (t: any, r: Result, what: string, pattern: RegExp) => {
    t.not(r.status, 0, `${what} fails`)
    t.match(r.stderr, pattern, `${what} says why`)
    t.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line`)
    t.notMatch(r.stderr, /\n\s+at |TypeError|internal error/, `${what}: no stack trace`)
  }

  t.test('a corrupt, truncated or emptied state.json', async t => {
    const id = 'corrupt-state'
    const made = runt(['create', '-b', bundle, id])
    t.equal(made.status, 0, made.stderr)
    const file = path.join(root, id, 'state.json')
    const good = fs.readFileSync(file, 'utf8')
    const initPid = JSON.parse(good).initPid
    const variants: [string, string][] = [
      ['truncated', good.slice(0, Math.floor(good.length / 2))],
      ['garbage', '\u0000\u00ff not json {'],
      ['empty', ''],
      ['the wrong shape', JSON.stringify({ id, initPid: 'one' })],
    ]
    for (const [name, text] of variants) {
      fs.writeFileSync(file, text)
      const all = name === 'truncated' ? commands(id) : [['state', id], ['delete', '--force', id]]
      const results = await Promise.all(all.map(a => runtA(a)))
      all.forEach((a, i) => clearFailure(t, results[i], `${name}: ${a.join(' ')}`, /state of container corrupt-state is corrupt/))
      const list = await runtA(['list'])
      t.equal(list.status, 0, `${name}: list still works`)
      t.match(list.stderr, /load container corrupt-state: .*corrupt/, `${name}: list says which it skipped`)
    }
    t.ok(fs.existsSync(`/proc/${initPid}`), 'the container was not given up on')
    fs.writeFileSync(file, good)
    t.equal(runt(['delete', '--force', id]).status, 0, 'with its state back, it deletes')
  })

  t.test('a container directory that is a symlink to a directory elsewhere', async t => {
    const elsewhere = tempDir('runt-elsewhere-')
    t.teardown(() => fs.rmSync(elsewhere, { recursive: true, force: true }))
    // a victim that looks like a container: a copy of a real record
    const id = 'real-one'
    t.equal(runt(['create', '-b', bundle, id]).status, 0)
    fs.copyFileSync(path.join(root, id, 'state.json'), path.join(elsewhere, 'state.json'))
    const before = fs.readdirSync(elsewhere)
    const link = 'linked'
    fs.symlinkSync(elsewhere, path.join(root, link))
    const results = await Promise.all(commands(link).map(a => runtA(a)))
    commands(link).forEach((a, i) => clearFailure(t, results[i], a.join(' '), /state directory of container linked is not a directory \(a symlink\)/))
    t.same(fs.readdirSync(elsewhere), before, 'nothing was created or removed through the link (no lock file)')
    t.ok(fs.lstatSync(path.join(root, link)).isSymbolicLink(), 'the link itself is left to whoever planted it')
    const list = runt(['list', '-q'])
    t.equal(list.stdout, `${id}\n`, 'list shows only the real container')
    t.equal(runt(['delete', '--force', id]).status, 0)
    fs.unlinkSync(path.join(root, link))
  })

  t.test('ids that aim at path traversal', async t => {
    const outside = path.basename(root)
    const ids = ['..', '../x', 'a/b', `../${outside}`, '/etc']
    const runs = ids.flatMap(id => [['create', '-b', bundle, id], ['state', id], ['delete', '--force', id]])
    const results = await Promise.all(runs.map(a => runtA(a)))
    runs.forEach((a, i) => clearFailure(t, results[i], JSON.stringify(a), /invalid container ID format|container id cannot be empty|requires exactly 1 argument/))
    t.same(fs.readdirSync(root), [], 'nothing was made under the root')
    t.notOk(fs.existsSync(path.join(path.dirname(root), 'x')), 'nor next to it')
  })
}
