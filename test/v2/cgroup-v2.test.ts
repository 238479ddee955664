// cgroup v2 scenarios, for test/v2/run.sh (a throw-away VM whose only hierarchy is
// cgroup2; under TCG every runt call costs seconds, so one container carries a whole
// story): limits from config.json in memory.max, cpu.max, cpuset.cpus and pids.max, a
// fork bomb stopped by pids.max, events --stats, update --resources - changing limits
// live, pause/resume through cgroup.freeze, kill --all through cgroup.kill, delete
// removing the group; then 100 create/kill/delete cycles that leave no cgroup behind
// (run by runt's command code in this process, test/integration/cycles.ts: 300 node
// starts would take most of an hour under TCG).
// On a host that is not pure cgroup v2 the file skips (the host suite covers v1).
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { containerSuite, RUNT, SLOW } from '../integration/helpers'
import { cgroupDir, readOr, startDetached, unified, waitUntil } from '../integration/cgroups-helpers'
import { checkCyclesLeaveNothing, inProcessRunt } from '../integration/cycles'

const MiB = 1024 * 1024

if (!unified) {
  t.plan(0, 'needs a pure cgroup v2 host (test/v2/run.sh runs this file in a v2 VM)')
} else {
  const suite = containerSuite(t)
  if (suite) {
    const { root, runt } = suite
    const status = (id: string) => JSON.parse(runt(['state', id]).stdout).status
    const file = (id: string, name: string) => readOr(path.join(cgroupDir(root, id, ''), name))

    t.test('one container through its cgroup v2 life', async t => {
      // a shell forks background sleeps until pids.max refuses (busybox sh then exits)
      const { id, dir } = startDetached(runt, t, 'v2', 'sh -c "while true; do sleep 1000 & done" 2>/dev/null; echo done > /mnt/done; exec sleep 1000', spec => {
        spec.linux.resources = { ...spec.linux.resources, memory: { limit: 64 * MiB }, cpu: { quota: 50000, period: 100000, cpus: '0' }, pids: { limit: 20 } }
      })
      const group = cgroupDir(root, id, '')

      t.test('config.json limits are in memory.max, cpu.max, cpuset.cpus, pids.max', async t => {
        t.equal(file(id, 'memory.max'), String(64 * MiB))
        t.equal(file(id, 'cpu.max'), '50000 100000')
        t.equal(file(id, 'cpuset.cpus'), '0')
        t.equal(file(id, 'pids.max'), '20')
      })

      t.test('a fork bomb stops at pids.max', async t => {
        t.ok(waitUntil(() => fs.existsSync(path.join(dir, 'done'))), 'the fork loop ended')
        t.ok(Number(file(id, 'pids.current')) <= 20, 'no more than pids.max processes')
        t.match(file(id, 'pids.events'), /^max [1-9]/, 'the kernel counted refused forks')
      })

      t.test('events --stats reads the v2 files', async t => {
        const r = runt(['events', '--stats', id])
        t.equal(r.status, 0, r.stderr)
        const ev = JSON.parse(r.stdout)
        t.match(ev, { type: 'stats', id })
        t.same(ev.data.pids, { current: Number(file(id, 'pids.current')), limit: 20 })
        t.match(ev.data.memory.usage, { limit: 64 * MiB })
        t.ok(ev.data.memory.usage.usage > 0, 'memory in use')
        t.type(ev.data.cpu.usage.total, 'number')
      })

      t.test('update --resources - changes the limits live', async t => {
        const resources = { memory: { limit: 128 * MiB }, cpu: { quota: 20000, period: 100000 }, pids: { limit: 50 } }
        const r = spawnSync(RUNT, ['--root', root, 'update', '--resources', '-', id], { input: JSON.stringify(resources), encoding: 'utf8', timeout: 60_000 * SLOW })
        t.equal(r.status, 0, r.stderr)
        t.equal(file(id, 'memory.max'), String(128 * MiB))
        t.equal(file(id, 'cpu.max'), '20000 100000')
        t.equal(file(id, 'pids.max'), '50')
      })

      // after update: the fork bomb filled the old pids.max, so exec could not fork before
      t.test('the cgroup mount is cgroup2 rooted at the container\'s own group, read-only', async t => {
        const r = runt(['exec', id, 'sh', '-c', [
          'grep " /sys/fs/cgroup " /proc/self/mounts | cut -d" " -f3,4 | cut -d, -f1',
          'cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max',
          'mkdir /sys/fs/cgroup/sub 2>/dev/null && echo made || echo read-only',
        ].join('; ')])
        t.equal(r.status, 0, r.stderr)
        t.equal(r.stdout, `cgroup2 ro\n${128 * MiB}\n50\nread-only\n`)
      })

      t.test('pause and resume through cgroup.freeze', async t => {
        t.equal(runt(['pause', id]).status, 0)
        t.equal(status(id), 'paused')
        t.equal(file(id, 'cgroup.freeze'), '1')
        t.ok(waitUntil(() => /^frozen 1$/m.test(file(id, 'cgroup.events'))), 'cgroup.events says frozen')
        t.equal(runt(['resume', id]).status, 0)
        t.equal(status(id), 'running')
        t.equal(file(id, 'cgroup.freeze'), '0')
      })

      t.test('kill --all KILL empties the group; delete removes it', async t => {
        t.ok(Number(file(id, 'pids.current')) > 1, 'the init and its sleeps are there')
        const r = runt(['kill', '--all', id, 'KILL'])
        t.equal(r.status, 0, r.stderr)
        t.ok(waitUntil(() => file(id, 'cgroup.procs') === ''), 'no process left in the group')
        t.ok(waitUntil(() => status(id) === 'stopped'), 'the container stopped')
        t.equal(runt(['delete', id]).status, 0)
        t.notOk(fs.existsSync(group), 'the cgroup directory is gone')
      })
    })

    t.test('100 create/kill/delete cycles leave no cgroup and no state directory', async t => {
      await checkCyclesLeaveNothing(t, { root, runt: inProcessRunt(root), prefix: `v2cycle${process.pid}-` })
    })
  }
}
