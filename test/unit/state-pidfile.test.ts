import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { writePidFile } from '../../src/state/pidfile'
import { SystemError } from '../../src/errors'

t.test('the pid file holds the decimal pid and nothing else', async t => {
  const file = path.join(t.testdir(), 'init.pid')
  writePidFile(file, 12345)
  t.equal(fs.readFileSync(file, 'utf8'), '12345')
})

t.test('an existing pid file (as conmon pre-creates it) is replaced, no temp file stays', async t => {
  const dir = t.testdir({ 'pidfile': '', '.pidfile': 'stale temp of a crashed write' })
  const file = path.join(dir, 'pidfile')
  writePidFile(file, 7)
  t.equal(fs.readFileSync(file, 'utf8'), '7')
  t.same(fs.readdirSync(dir), ['pidfile'])
})

t.test('the file is replaced, not rewritten in place: an old reader keeps the old content', async t => {
  const file = path.join(t.testdir({ 'p.pid': '111' }), 'p.pid')
  const before = fs.openSync(file, 'r')
  writePidFile(file, 222)
  t.equal(fs.readFileSync(before, 'utf8'), '111')
  fs.closeSync(before)
  t.equal(fs.readFileSync(file, 'utf8'), '222')
})

t.test('a pid file in a missing directory fails with the path', async t => {
  const file = path.join(t.testdir(), 'no', 'such', 'dir', 'x.pid')
  t.throws(() => writePidFile(file, 1), { constructor: SystemError, message: `write ${file}: ENOENT (${file})` })
})
