import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { containerStatus, parseProcStat, processStartTime, readProcStat } from '../../src/state/status'
import type { ContainerRecord } from '../../src/state/store'

function recordFor(pid: number, startTime: string | null): ContainerRecord {
  return {
    id: 'c1', ociVersion: '1.3.0', bundle: '/b', rootfs: '/b/rootfs', created: '2026-01-02T03:04:05Z',
    initPid: pid, initStartTime: startTime ?? '', annotations: {}, owner: 0, cgroupPaths: {}, namespacePaths: {},
    sharedPidNs: false, config: { ociVersion: '1.3.0' }, rootless: false,
  }
}

/** A /proc/<pid>/stat line; fields 3.. after the command name, start time at field 22. */
function statLine(pid: number, comm: string, state: string, startTime: string): string {
  const rest = Array.from({ length: 49 }, (_, i) => String(i + 4))
  rest[22 - 4] = startTime
  return `${pid} (${comm}) ${state} ${rest.join(' ')}\n`
}

t.test('a command name with spaces and parentheses does not shift the fields', async t => {
  t.same(parseProcStat(statLine(7, 'a) (b c) Z 1 2', 'S', '98765')), { state: 'S', startTime: '98765' })
  t.same(parseProcStat(statLine(7, ')', 'Z', '5')), { state: 'Z', startTime: '5' })
  t.equal(parseProcStat('garbage'), null)
  t.equal(parseProcStat('7 (x) S 1 2'), null, 'too few fields')
})

t.test('the start time of this very process matches /proc/self/stat', async t => {
  const self = fs.readFileSync('/proc/self/stat', 'latin1')
  const expected = self.slice(self.lastIndexOf(')') + 2).split(' ')[19]
  t.equal(processStartTime(process.pid), expected)
  t.equal(readProcStat(process.pid)?.state, 'R')
})

t.test('a live init is running, or created while the exec fifo exists', async t => {
  const dir = t.testdir()
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' })
  t.teardown(() => { child.kill('SIGKILL') })
  const pid = child.pid ?? 0
  const rec = recordFor(pid, processStartTime(pid))
  t.equal(containerStatus(rec, dir), 'running')
  fs.writeFileSync(path.join(dir, 'exec.fifo'), '')
  t.equal(containerStatus(rec, dir), 'created')
  t.equal(containerStatus(rec, dir, { isFrozen: () => true }), 'paused', 'a frozen cgroup wins, as in runc')
})

t.test('an init that has exited and been reaped is stopped', async t => {
  const dir = t.testdir({ 'exec.fifo': '' })
  const done = spawnSync('true')
  t.equal(done.status, 0)
  t.equal(containerStatus(recordFor(done.pid, '1'), dir), 'stopped')
})

t.test('a pid now used by another process (other start time) is stopped', async t => {
  const dir = t.testdir()
  const rec = recordFor(process.pid, String(Number(processStartTime(process.pid)) + 1))
  t.equal(containerStatus(rec, dir), 'stopped')
})

t.test('a zombie init is stopped', async t => {
  // python never reaps a child it did not wait for (a shell may reap it behind our back)
  const script = 'import os, sys, time\npid = os.fork()\nif pid == 0: os._exit(0)\nprint(pid, flush=True)\ntime.sleep(1000)\n'
  const parent = spawn('python3', ['-c', script], { stdio: ['ignore', 'pipe', 'ignore'] })
  t.teardown(() => { parent.kill('SIGKILL') })
  const zombie = Number((await new Promise<Buffer>(resolve => parent.stdout.once('data', resolve))).toString().trim())
  const deadline = Date.now() + 5000
  while (readProcStat(zombie)?.state !== 'Z' && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, 5))
  t.equal(readProcStat(zombie)?.state, 'Z', 'the child is a zombie')
  t.equal(containerStatus(recordFor(zombie, processStartTime(zombie)), t.testdir()), 'stopped')
})

t.test('status read from another proc tree', async t => {
  const base = t.testdir({ proc: { '4242': { stat: statLine(4242, 'init', 'S', '777') } }, state: {} })
  const proc = path.join(base, 'proc')
  const dir = path.join(base, 'state')
  t.equal(containerStatus(recordFor(4242, '777'), dir, { procRoot: proc }), 'running')
  t.equal(containerStatus(recordFor(4242, '778'), dir, { procRoot: proc }), 'stopped')
  t.equal(containerStatus(recordFor(4243, '777'), dir, { procRoot: proc }), 'stopped')
  t.equal(containerStatus(recordFor(0, '777'), dir, { procRoot: proc }), 'stopped', 'no pid recorded yet')
})
