// The direct path's simple commands run from their own bundles (dist/runt-<command>.js)
// on a real container: each does its work (start runs the process, state says paused
// for a frozen cgroup read from the record, kill signals, delete removes), reading its
// own bundle and never the whole one; a line only commander words goes to the whole one.
// node runs dist/runt.js with a preload that notes every dist/ file read through fs
// (node's own loading of dist/runt.js does not go through it).
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { containerSuite, sh, shBundle, tempDir, uniqueId, REPO } from './helpers'

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite
  const dir = tempDir('runt-bundles-')
  const bundle = shBundle('sleep 1000')
  t.teardown(() => {
    fs.rmSync(dir, { recursive: true, force: true })
    fs.rmSync(bundle, { recursive: true, force: true })
  })
  const recorder = path.join(dir, 'record-dist.js')
  fs.writeFileSync(recorder, `
const fs = require('fs')
const read = fs.readFileSync
const seen = new Set()
fs.readFileSync = function (file, ...rest) {
  if (typeof file === 'string' && file.startsWith(${JSON.stringify(path.join(REPO, 'dist') + '/')})) seen.add(file.slice(file.lastIndexOf('/') + 1))
  return read.call(this, file, ...rest)
}
process.on('exit', () => fs.writeSync(2, 'dist read: ' + [...seen].sort().join(' ') + '\\n'))
`)
  /** runt on the direct path, and the dist/ files the call read */
  const direct = (args: string[]) => {
    const r = sh(process.execPath, ['--require', recorder, path.join(REPO, 'dist', 'runt.js'), '--root', root, ...args])
    const line = /^dist read: (.*)$/m.exec(r.stderr)
    return { ...r, read: line ? line[1].split(' ').filter(Boolean) : [] }
  }
  const status = (id: string) => JSON.parse(runt(['state', id]).stdout).status

  t.test('start, state, kill and delete each read only their own bundle, and do their work', async t => {
    const id = uniqueId('lean')
    t.equal(runt(['create', '--bundle', bundle, id]).status, 0, 'created')

    const start = direct(['start', id])
    t.equal(start.status, 0, start.stderr)
    t.same(start.read, ['runt-start.cache', 'runt-start.js'], 'start: its own bundle and cache')
    t.equal(status(id), 'running')

    t.equal(runt(['pause', id]).status, 0, 'paused')
    const paused = direct(['state', id])
    t.equal(paused.status, 0, paused.stderr)
    t.equal(JSON.parse(paused.stdout).status, 'paused', 'state reads the frozen cgroup from the record')
    t.same(paused.read, ['runt-state.cache', 'runt-state.js'], 'state: its own bundle and cache')
    t.equal(runt(['resume', id]).status, 0, 'resumed')

    const kill = direct(['kill', id, 'KILL'])
    t.equal(kill.status, 0, kill.stderr)
    t.same(kill.read, ['runt-kill.cache', 'runt-kill.js'], 'kill: its own bundle and cache')
    for (let i = 0; i < 200 && status(id) !== 'stopped'; i++) sh('sleep', ['0.05'])
    t.equal(status(id), 'stopped', 'the init died of the signal')

    const del = direct(['delete', id])
    t.equal(del.status, 0, del.stderr)
    t.same(del.read, ['runt-delete.cache', 'runt-delete.js'], 'delete: its own bundle and cache')
    t.notOk(fs.existsSync(path.join(root, id)), 'the state directory is gone')
    t.equal(runt(['state', id]).status, 1, 'and the container with it')
  })

  t.test('a simple command line the quick parser leaves alone goes to the whole bundle', async t => {
    const help = direct(['state', '--help'])
    t.equal(help.status, 0, help.stderr)
    t.match(help.stdout, /Usage: .*state/, 'commander words the help')
    t.ok(help.read.includes('runt-main.js'), 'read from the whole bundle')
    const missing = direct(['kill', 'no-such-container'])
    t.equal(missing.status, 1)
    t.match(missing.stderr, /container does not exist/, 'errors are worded by the same code either way')
    t.notOk(missing.read.includes('runt-main.js'), 'a plain error stays in the simple bundle')
  })
}
