// Writes the code cache of a bundle, dist/<name>.cache (see scripts/build.mjs): runs the
// bundle once per call of a container's life in this one process (a simple command's
// bundle through its runLean, which declines the calls that are not its own), then
// saves V8's code cache with every function those runs compiled. The calls work in a
// scratch state root on stand-in containers whose records say what a real create would
// (src/state/store.ts, ContainerRecord):
//   live:    "created" and its init is this very process (kill sends it SIGCONT; its
//            exec fifo is a plain file, so start reads the byte put there);
//   stopped: its init pid 0 is gone, so start fails and delete removes it.
// No cgroup or namespace is made or changed, and nothing outside the scratch root is
// written (the host's cgroup layout and one absent freezer group are read). Each call
// has a container of its own (a second lock taken by one process would wait for ever).
// Usage: node scripts/bundle-cache.mjs <dist/runt-main.js or dist/runt-state.js ...> <sha256 of it>
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { compileModule, writeCodeCache } from './code-cache.mjs'

const [file, bundleHash] = process.argv.slice(2)
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-build-'))
const root = path.join(scratch, 'root')

const ownStartTime = fs.readFileSync('/proc/self/stat', 'latin1').split(')').pop().trim().split(/\s+/)[19]
// a freezer group that does not exist: status reads its freezer.state (absent: thawed),
// delete finds it below the freezer hierarchy and removes nothing it did not create
const absentFreezer = `/sys/fs/cgroup/freezer/runt-build-absent-${process.pid}`
/** A stand-in container; a live one's exec fifo holds `fifo` (start takes its first byte). */
function standIn(id, live, fifo = '') {
  const dir = path.join(root, id)
  fs.mkdirSync(dir, { recursive: true })
  const record = {
    id, ociVersion: '1.3.0', bundle: scratch, rootfs: scratch, created: new Date().toISOString(),
    initPid: live ? process.pid : 0, initStartTime: live ? ownStartTime : '0', annotations: {}, owner: 0,
    cgroupPaths: { freezer: absentFreezer }, cgroupDirsCreated: [], namespacePaths: {}, sharedPidNs: false, config: { ociVersion: '1.3.0' }, rootless: false,
  }
  fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify(record))
  if (live) fs.writeFileSync(path.join(dir, 'exec.fifo'), fifo)
  return id
}

const calls = [
  ['create', '--bundle', scratch, 'absent'],
  ['state', standIn('state-live', true)],
  ['state', standIn('state-stopped', false)],
  ['kill', standIn('kill-live', true), 'CONT'],
  // a created container whose init has written "0": start's whole way to "running"
  ['start', standIn('start-live', true, '0')],
  ['start', standIn('start-stopped', false)],
  ['delete', standIn('delete-stopped', false)],
  ['delete', '--force', 'absent'],
]
const { script, run } = compileModule(file)
// a simple command's bundle ends its process the moment its call is done: here each call
// runs to its end (lock released, status set), and the process ends once all have
process.exit = code => { process.exitCode = code }
// the stand-ins whose calls a bundle took (the whole bundle takes every line)
const taken = new Set()
for (const call of calls) {
  process.argv = [process.execPath, file, '--root', root, ...call]
  if (run().runLean?.(process.argv.slice(2)) ?? true) taken.add(call[1])
}
// what those calls must have done, once they have all finished
const done = {
  'start-live': () => !fs.existsSync(path.join(root, 'start-live', 'exec.fifo')),
  'delete-stopped': () => !fs.existsSync(path.join(root, 'delete-stopped')),
}
process.on('exit', () => {
  writeCodeCache(file.replace(/\.js$/, '.cache'), { bundle: bundleHash, node: process.version }, script)
  const reached = taken.size > 0 && [...taken].every(id => done[id]?.() ?? true)
  fs.rmSync(scratch, { recursive: true, force: true })
  // exit 2: the bundle took no call, or the stand-ins no longer read as records (a
  // changed format?); the cache still works, but covers less
  process.exitCode = reached ? 0 : 2
})
