// runt events: stats in runc's shape, the OOM event, the stream's end.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { RUNT, containerSuite } from './helpers'
import { readOr, startDetached, waitUntil } from './cgroups-helpers'

const MiB = 1024 * 1024

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite

  const start = (t: { teardown(fn: () => void): void }, script: string, edit: (spec: any) => void = () => {}) =>
    startDetached(runt, t, 'events', script, spec => { edit(spec) })

  t.test('events --stats: one JSON line with runc\'s fields', async t => {
    const { id } = start(t, 'exec sleep 1000', spec => {
      spec.linux.resources = { ...spec.linux.resources, memory: { limit: 64 * MiB }, pids: { limit: 33 } }
    })
    const r = runt(['events', '--stats', id])
    t.equal(r.status, 0, r.stderr)
    const lines = r.stdout.split('\n')
    t.equal(lines.length, 2, 'one line and a newline')
    const ev = JSON.parse(lines[0])
    t.same(Object.keys(ev), ['type', 'id', 'data'])
    t.match(ev, { type: 'stats', id })
    t.same(Object.keys(ev.data), ['cpu', 'cpuset', 'memory', 'pids', 'blkio', 'hugetlb', 'intel_rdt', 'network_interfaces'])
    t.type(ev.data.cpu.usage.total, 'number')
    t.type(ev.data.cpu.usage.kernel, 'number')
    t.type(ev.data.cpu.usage.user, 'number')
    t.match(ev.data.memory.usage, { limit: 64 * MiB, failcnt: Number })
    t.ok(ev.data.memory.usage.usage > 0, 'memory in use')
    t.type(ev.data.memory.raw, 'object')
    t.same(ev.data.pids, { current: 1, limit: 33 })
  })

  t.test('the stream: stats every interval, an oom event when the OOM killer strikes, the end when the container stops', async t => {
    // a child shell fills a variable past the limit once /mnt/go appears; the init survives
    const { id, dir } = start(t, 'while [ ! -e /mnt/go ]; do sleep 1; done; sh -c \'x=$(head -c 100000000 /dev/zero | tr "\\0" a)\'; echo $? > /mnt/child; exec sleep 1000', spec => {
      spec.linux.resources = { ...spec.linux.resources, memory: { limit: 32 * MiB, swap: 32 * MiB } }
    })
    const outFile = path.join(dir, 'events.out')
    const out = fs.openSync(outFile, 'w')
    const events = spawn(RUNT, ['--root', root, 'events', '--interval', '500ms', id], { stdio: ['ignore', out, 'ignore'] })
    fs.closeSync(out)
    t.teardown(() => {
      if (events.exitCode === null) events.kill('SIGKILL')
    })
    const lines = () => readOr(outFile).split('\n').filter(Boolean).map(l => JSON.parse(l))
    t.ok(waitUntil(() => lines().some(e => e.type === 'stats')), 'a stats event arrives')
    fs.writeFileSync(path.join(dir, 'go'), '')

    t.ok(waitUntil(() => lines().some(e => e.type === 'oom')), 'an oom event arrives')
    t.same(lines().find(e => e.type === 'oom'), { type: 'oom', id }, 'no data on an oom event')
    t.ok(waitUntil(() => readOr(path.join(dir, 'child')) !== ''))
    t.equal(readOr(path.join(dir, 'child')), '137', 'the allocating shell died of SIGKILL')

    const exited = once(events, 'exit')
    t.equal(runt(['kill', id, 'KILL']).status, 0)
    const [code] = await exited
    t.equal(code, 0, 'the stream ended by itself when the container stopped')
  })

  t.test('events on a stopped container, and a bad interval, are errors', async t => {
    const { id } = start(t, 'exec sleep 1000')
    const badInterval = runt(['events', '--interval', '5', id])
    t.equal(badInterval.status, 1)
    t.match(badInterval.stderr, /invalid duration "5"/)
    t.equal(runt(['kill', id, 'KILL']).status, 0)
    t.ok(waitUntil(() => JSON.parse(runt(['state', id]).stdout).status === 'stopped'))
    const r = runt(['events', '--stats', id])
    t.equal(r.status, 1)
    t.match(r.stderr, /container not running/)
  })
}
