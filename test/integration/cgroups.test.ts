// The cgroup manager against this host's real cgroups (root only): a plain `sleep`
// stands in for a container's init.

import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { detectLayout, parseProcCgroup, type Hierarchy } from '../../src/cgroups/detect'
import { cgroupManager, type CgroupManager } from '../../src/cgroups/manager'

if (process.getuid?.() !== 0) {
  t.plan(0, 'integration tests need root')
  process.exit(0)
}

const layout = detectLayout()
const SIGKILL = 9
const SIGTERM = 15

/** The process's cgroup in hierarchy h, as /proc/<pid>/cgroup shows it. */
function cgroupOf(pid: number, h: Hierarchy): string | undefined {
  const entries = parseProcCgroup(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'))
  const entry = h.version === 2
    ? entries.find(e => e.hierarchyId === 0)
    : entries.find(e => e.controllers.join(',') === h.controllers.join(','))
  return entry?.path
}

function startSleeper(t: { teardown(fn: () => void): void }): ChildProcess {
  const child = spawn('sleep', ['100'], { stdio: 'ignore' })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return child
}

function managed(t: { teardown(fn: () => void): void }, opts: { id: string; cgroupsPath?: string }): CgroupManager {
  const m = cgroupManager(opts)
  t.teardown(() => {
    try {
      m.destroy()
    } catch {
      // the test itself reports what was left
    }
  })
  return m
}

t.test(`${layout.mode} host: create, join, pids, killAll(SIGKILL), destroy`, async t => {
  const id = `runt-cgtest-${process.pid}`
  const m = managed(t, { id })
  m.create()
  const paths = m.paths()
  t.same(Object.keys(paths).sort(), layout.hierarchies.map(h => h.key).sort(), 'a group in every hierarchy')

  const child = startSleeper(t)
  await once(child, 'spawn')
  const pid = child.pid!
  m.join(pid)
  for (const h of layout.hierarchies) {
    t.equal(cgroupOf(pid, h), '/' + path.relative(h.mountpoint, paths[h.key]), `${h.key}: /proc/${pid}/cgroup names the container's group`)
  }
  const memory = layout.hierarchies.find(h => h.controllers.includes('memory') && h.version === 1)
  if (memory) t.equal(cgroupOf(pid, memory), `${memory.ownCgroup}/${id}`, 'memory: below the runtime\'s own cgroup')
  t.same(m.pids(), [pid])

  const exited = once(child, 'exit')
  m.killAll(SIGKILL)
  t.same(await exited, [null, 'SIGKILL'])
  t.same(m.pids(), [])

  m.destroy()
  for (const [key, dir] of Object.entries(paths)) t.notOk(fs.existsSync(dir), `${key}: ${dir} removed`)
  t.same(m.createdDirs(), [])
})

t.test('killAll(SIGTERM) freezes, signals, thaws; destroy kills a straggler', async t => {
  const id = `runt-cgtest-${process.pid}-term`
  const m = managed(t, { id })
  m.create()
  const first = startSleeper(t)
  const second = startSleeper(t)
  await Promise.all([once(first, 'spawn'), once(second, 'spawn')])
  m.join(first.pid!)
  m.join(second.pid!)
  t.same(m.pids(), [first.pid!, second.pid!].sort((a, b) => a - b))

  const exited = Promise.all([once(first, 'exit'), once(second, 'exit')])
  m.killAll(SIGTERM)
  t.same(await exited, [[null, 'SIGTERM'], [null, 'SIGTERM']])

  const straggler = startSleeper(t)
  await once(straggler, 'spawn')
  m.join(straggler.pid!)
  const gone = once(straggler, 'exit')
  m.destroy()
  t.same(await gone, [null, 'SIGKILL'], 'destroy killed the process left inside')
  for (const dir of Object.values(m.paths())) t.notOk(fs.existsSync(dir), `${dir} removed`)
})

t.test('an absolute cgroupsPath: intermediate groups are made and removed again', async t => {
  const top = `runt-cgtest-${process.pid}-abs`
  const m = managed(t, { id: 'c1', cgroupsPath: `/${top}/pod/c1` })
  m.create()
  t.same(m.createdDirs().length, layout.hierarchies.length * 3)
  m.destroy()
  for (const h of layout.hierarchies) t.notOk(fs.existsSync(path.join(h.mountpoint, top)), `${h.key}: /${top} removed`)
})

t.test('apply: the kernel takes the memory, cpu and pids settings and reads them back', async t => {
  const id = `runt-cgtest-${process.pid}-res`
  const m = managed(t, { id })
  m.create()
  const M = 256 * 1024 * 1024
  m.apply({ memory: { limit: M, reservation: M / 2 }, cpu: { shares: 512, quota: 50000, period: 100000 }, pids: { limit: 32 } })
  const paths = m.paths()
  const read = (key: string, file: string) => fs.readFileSync(path.join(paths[key], file), 'utf8').trim()
  const keyOf = (controller: string) => layout.hierarchies.find(h => h.controllers.includes(controller))!.key
  if (layout.mode === 'unified') {
    t.same(['memory.max', 'memory.low', 'cpu.weight', 'cpu.max', 'pids.max'].map(f => read('unified', f)),
      [String(M), String(M / 2), '20', '50000 100000', '32'])
  } else {
    t.same([read(keyOf('memory'), 'memory.limit_in_bytes'), read(keyOf('memory'), 'memory.soft_limit_in_bytes')], [String(M), String(M / 2)])
    t.same(['cpu.shares', 'cpu.cfs_quota_us', 'cpu.cfs_period_us'].map(f => read(keyOf('cpu'), f)), ['512', '50000', '100000'])
    t.equal(read(keyOf('pids'), 'pids.max'), '32')
  }
  m.destroy()
  for (const dir of Object.values(paths)) t.notOk(fs.existsSync(dir), `${dir} removed`)
})
