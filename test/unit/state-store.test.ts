import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import readline from 'node:readline'
import { StateStore, type ContainerRecord } from '../../src/state/store'
import { ContainerIdError } from '../../src/errors'
import { native } from '../../src/sys/native'

function record(id: string, extra: Partial<ContainerRecord> = {}): ContainerRecord {
  return {
    id, ociVersion: '1.3.0', bundle: '/b', rootfs: '/b/rootfs', created: '2026-01-02T03:04:05.123Z',
    initPid: 42, initStartTime: '1234', annotations: {}, owner: 0, cgroupPaths: {}, namespacePaths: {},
    sharedPidNs: false, config: { ociVersion: '1.3.0' }, rootless: false, ...extra,
  }
}

/** A store child process (see fixtures/state-store-child.ts), ready for "go". */
async function child(root: string, id: string, action: 'create' | 'open') {
  // with tap's --import hooks in NODE_OPTIONS a .ts main file would go to the ESM
  // loader and fail; required from -e it goes through ts-node's require hook
  const fixture = path.join(__dirname, 'fixtures', 'state-store-child.ts')
  const proc = spawn(process.execPath, [
    '-r', require.resolve('@isaacs/ts-node-temp-fork-for-pr-2009/register'),
    '-e', `require(${JSON.stringify(fixture)})`, root, id, action,
  ], { env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1' }, stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]()
  const ctl = {
    async next(): Promise<Record<string, unknown>> {
      const { value, done } = await lines.next()
      if (done) throw new Error('child ended without answering')
      return JSON.parse(value)
    },
    async send(command: string) {
      proc.stdin.write(`${command}\n`)
      return this.next()
    },
    async end() {
      proc.stdin.end()
      await new Promise(resolve => proc.once('close', resolve))
    },
  }
  await ctl.next() // {"ready":true}: loaded, nothing done yet
  return ctl
}

/** Is the container's lock free right now? (tried without waiting, released at once) */
function lockIsFree(dir: string): boolean {
  const fd = fs.openSync(path.join(dir, 'lock'), 'r')
  try {
    return native().flock(fd, true, false)
  } finally {
    fs.closeSync(fd)
  }
}

t.test('the root and container directories are made private', async t => {
  const root = path.join(t.testdir(), 'a', 'root')
  const store = new StateStore(root)
  t.same(store.ids(), [], 'no root yet: no containers')
  const h = store.createContainerDir('c1')
  t.equal(h.dir, path.join(root, 'c1'))
  t.equal(fs.statSync(root).mode & 0o777, 0o700)
  t.equal(fs.statSync(h.dir).mode & 0o777, 0o700)
  t.equal(h.read(), null, 'no record until one is written')
  h.release()
})

t.test('a record written is read back, by a later open too', async t => {
  const store = new StateStore(t.testdir())
  const h = store.createContainerDir('c1')
  h.write(record('c1'))
  h.write(record('c1', { initPid: 77 }))
  h.release()
  const again = store.open('c1')
  t.same(again.read(), record('c1', { initPid: 77 }))
  again.release()
})

t.test('an interrupted write (temp file left, no rename) leaves the old record intact', async t => {
  const store = new StateStore(t.testdir())
  const h = store.createContainerDir('c1')
  h.write(record('c1', { initPid: 1 }))
  const temps = fs.readdirSync(h.dir).filter(n => n !== 'state.json' && n !== 'lock')
  t.same(temps, [], 'a completed write leaves no temporary file')
  fs.writeFileSync(path.join(h.dir, '.state.json.tmp'), '{"id":"c1","initPid":')
  t.equal(h.read()?.initPid, 1)
  h.write(record('c1', { initPid: 2 }))
  t.equal(h.read()?.initPid, 2, 'the next write replaces the leftover')
  h.release()
})

t.test('ids lists container directories only, sorted', async t => {
  const root = t.testdir({ 'stray-file': 'x', '~creating-123': {} })
  const store = new StateStore(root)
  for (const id of ['zeta', 'alpha', 'mid']) store.createContainerDir(id).release()
  t.same(store.ids(), ['alpha', 'mid', 'zeta'])
})

t.test('a taken id, an unknown id and a bad id give runc\'s messages', async t => {
  const store = new StateStore(t.testdir())
  store.createContainerDir('c1').release()
  t.throws(() => store.createContainerDir('c1'), { constructor: ContainerIdError, message: /^container with given ID already exists$/ })
  t.throws(() => store.open('nope'), { constructor: ContainerIdError, message: /^container does not exist$/ })
  t.throws(() => store.open('../c1'), { message: /^invalid container ID format$/ })
  t.throws(() => store.createContainerDir('a/b'), { message: /^invalid container ID format$/ })
  t.same(fs.readdirSync(store.root), ['c1'], 'failed creates leave nothing behind')
})

t.test('remove deletes everything and frees the id', async t => {
  const store = new StateStore(t.testdir())
  const h = store.createContainerDir('c1')
  h.write(record('c1'))
  fs.writeFileSync(path.join(h.dir, 'exec.fifo'), '')
  h.remove()
  t.same(fs.readdirSync(store.root), [])
  t.throws(() => store.open('c1'), { message: /^container does not exist$/ })
  store.createContainerDir('c1').release()
  t.same(store.ids(), ['c1'])
})

t.test('the leftover of a killed create is opened with no record, and can be removed', async t => {
  const store = new StateStore(t.testdir())
  store.createContainerDir('c1').release() // as if the create died before writing anything
  const h = store.open('c1')
  t.equal(h.read(), null)
  h.remove()
  t.same(store.ids(), [])
})

t.test('two concurrent creates of one id: exactly one wins', async t => {
  const root = t.testdir()
  for (let round = 0; round < 3; round++) {
    const id = `race${round}`
    const [a, b] = await Promise.all([child(root, id, 'create'), child(root, id, 'create')])
    const results = await Promise.all([a.send('go'), b.send('go')])
    t.same(results.filter(r => r.ok).length, 1, `round ${round}: one winner`)
    t.same(results.filter(r => !r.ok).map(r => r.error), ['container with given ID already exists'], `round ${round}: one loser`)
    await Promise.all([a.end(), b.end()])
  }
  t.same(new StateStore(root).ids(), ['race0', 'race1', 'race2'])
  t.same(fs.readdirSync(root).filter(n => n.startsWith('~')), [], 'no staging directory left')
})

t.test('a container is locked from create until release, also against other processes', async t => {
  const store = new StateStore(t.testdir())
  const creator = await child(store.root, 'c1', 'create')
  t.same(await creator.send('go'), { ok: true, hasRecord: false })
  t.equal(lockIsFree(store.dirOf('c1')), false, 'held by the creating process')
  await creator.send('release')
  t.equal(lockIsFree(store.dirOf('c1')), true, 'free after release')
  await creator.end()

  const opener = await child(store.root, 'c1', 'open')
  t.same(await opener.send('go'), { ok: true, hasRecord: false })
  t.equal(lockIsFree(store.dirOf('c1')), false, 'held by the opening process')
  await opener.end()
  t.equal(lockIsFree(store.dirOf('c1')), true, 'a process that exits drops its lock')
})

t.test('an open waiting for the lock sees the container removed by the holder', async t => {
  const store = new StateStore(t.testdir())
  const h = store.createContainerDir('c1')
  h.write(record('c1'))
  const waiter = await child(store.root, 'c1', 'open')
  const answer = waiter.send('go') // it waits for the lock (or finds the container gone)
  h.remove()
  t.same(await answer, { ok: false, error: 'container does not exist' })
  await waiter.end()
})

t.test('an open waiting for the lock gets the container once the holder releases it', async t => {
  const store = new StateStore(t.testdir())
  const h = store.createContainerDir('c1')
  h.write(record('c1'))
  const waiter = await child(store.root, 'c1', 'open')
  const answer = waiter.send('go')
  h.release()
  t.same(await answer, { ok: true, hasRecord: true })
  await waiter.end()
})

t.test('a create that loses the race at the final rename reports the id taken and cleans up', async t => {
  const root = t.testdir()
  new StateStore(root).createContainerDir('c1').release()
  // as if the other create made its directory right after our existence check
  const { StateStore: RacingStore } = t.mockRequire<typeof import('../../src/state/store')>('../../src/state/store', {
    'node:fs': { ...fs, existsSync: () => false },
  })
  t.throws(() => new RacingStore(root).createContainerDir('c1'), { constructor: ContainerIdError, message: /^container with given ID already exists$/ })
  t.same(fs.readdirSync(root), ['c1'], 'the staging directory is gone')
})

t.test('a corrupt record is refused by what is wrong, never quoting it', async t => {
  const root = fs.mkdtempSync('/tmp/runt-store-')
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }))
  const store = new StateStore(root)
  const h = store.createContainerDir('c1')
  h.write(record('c1'))
  t.same(h.read(), record('c1'), 'a good record reads back')
  const file = path.join(h.dir, 'state.json')
  const cases: [string, RegExp][] = [
    ['', /state\.json is empty/],
    ['{"id": "c1", "secret-looking text', /state\.json is not valid JSON/],
    ['[1]', /state\.json is not an object/],
    [JSON.stringify({ ...record('c1'), initPid: -1 }), /field initPid/],
    [JSON.stringify({ ...record('other') }), /field id/],
    [JSON.stringify({ ...record('c1'), cgroupPaths: { memory: 7 } }), /field cgroupPaths/],
  ]
  for (const [text, why] of cases) {
    fs.writeFileSync(file, text)
    t.throws(() => h.read(), { message: why }, why.source)
    t.throws(() => h.read(), { message: /^state of container c1 is corrupt .*remove .* by hand/ })
    try { h.read() } catch (err) { t.notMatch((err as Error).message, 'secret-looking', 'the text is not quoted') }
  }
  fs.rmSync(file)
  fs.symlinkSync('/etc/hostname', file)
  t.throws(() => h.read(), { code: undefined, message: /read state of container c1: ELOOP/ }, 'a symlinked record is not followed')
  h.release()
})

t.test('a symlink in place of a container directory is refused, and nothing is made through it', async t => {
  const root = fs.mkdtempSync('/tmp/runt-store-')
  const elsewhere = fs.mkdtempSync('/tmp/runt-elsewhere-')
  t.teardown(() => { fs.rmSync(root, { recursive: true, force: true }); fs.rmSync(elsewhere, { recursive: true, force: true }) })
  fs.symlinkSync(elsewhere, path.join(root, 'c1'))
  const store = new StateStore(root)
  t.throws(() => store.open('c1'), { message: 'state directory of container c1 is not a directory (a symlink): refusing to use it' })
  t.same(fs.readdirSync(elsewhere), [], 'no lock file was created through the link')
  t.throws(() => store.createContainerDir('c1'), { message: 'container with given ID already exists' })
  t.same(store.ids(), [], 'ids() does not list it')
})

t.test('sweepAbandoned removes the staging and doomed directories nobody holds', async t => {
  const root = fs.mkdtempSync('/tmp/runt-store-')
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }))
  const store = new StateStore(root)
  const mk = (name: string, lock: boolean) => {
    fs.mkdirSync(path.join(root, name))
    if (lock) fs.writeFileSync(path.join(root, name, 'lock'), '')
  }
  mk('~creating-dead', true)
  mk('~removing-dead', true)
  mk('~creating-young', false) // mkdir done, lock file not yet: a create in progress
  mk('~removing-held', true)
  const held = fs.openSync(path.join(root, '~removing-held', 'lock'), 'r')
  native().flock(held, true, false)
  const live = store.createContainerDir('c1')
  t.same(store.sweepAbandoned().sort(), ['~creating-dead', '~removing-dead'])
  t.same(fs.readdirSync(root).sort(), ['c1', '~creating-young', '~removing-held'], 'held, young and real ones stay')
  t.same(store.sweepAbandoned(Date.now() + 60_000), ['~creating-young'], 'a staging directory without a lock is abandoned after a while')
  fs.closeSync(held)
  t.same(store.sweepAbandoned(), ['~removing-held'], 'once its holder is gone, it goes')
  live.release()
})
