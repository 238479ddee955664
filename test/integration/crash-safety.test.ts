// runt killed (kill -9) at each step of create, start, exec and delete: `delete --force`
// and `list` recover, and nothing is left behind: no process, mount, cgroup or state
// directory (the ~creating-/~removing- directories of a killed create/delete included).
// Each point uses a state root of its own, so a few run at once.
import t from 'tap'
import fs from 'node:fs'
import { containerSuite, shBundle, tempDir, hostMountCount, cgroupDirsNamed, processesMentioning, type Result } from './helpers'
import { runtAsync, runtStoppedAt } from './stop-point'

const suite = containerSuite(t)
if (suite) {
  const marker = `crash${process.pid}`
  const sleeper = `7${process.pid}`
  const bundle = shBundle(`exec sleep ${sleeper}`)
  t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))

  type Runt = ReturnType<typeof runtAsync>
  const must = async (r: Promise<Result>, what: string) => {
    const done = await r
    if (done.status !== 0) throw new Error(`${what}: ${done.stderr}`)
  }
  const create = (id: string) => ['create', '-b', bundle, id]
  const created = (runt: Runt, id: string) => must(runt(create(id)), 'create')
  const running = async (runt: Runt, id: string) => { await created(runt, id); await must(runt(['start', id]), 'start') }

  interface Scenario { point: string; args: (id: string) => string[]; setup?: (runt: Runt, id: string) => Promise<void> }
  const scenarios: Scenario[] = [
    ...['create:staging', 'create:dir', 'create:record', 'create:cgroups', 'create:pid', 'create:launched', 'create:recorded'].map(point => ({ point, args: create })),
    ...['start:locked', 'start:released'].map(point => ({ point, args: (id: string) => ['start', id], setup: created })),
    ...['exec:pid', 'exec:launched'].map(point => ({ point, args: (id: string) => ['exec', id, 'sleep', sleeper], setup: running })),
    ...['delete:killed', 'delete:cgroups', 'delete:renamed'].map(point => ({ point, args: (id: string) => ['delete', '--force', id], setup: running })),
  ]

  /** kill -9 runt at the scenario's point, recover with delete --force, and look around */
  const crash = async (s: Scenario, n: number) => {
    const root = tempDir('runt-crash-')
    const runt = runtAsync(root)
    const id = `${marker}-${n}`
    try {
      await s.setup?.(runt, id)
      const stopped = await runtStoppedAt(root, s.args(id), s.point)
      await stopped.kill()
      const del = await runt(['delete', '--force', id])
      const list = await runt(['list', '-q'])
      return { id, del, list, left: fs.readdirSync(root), cgroups: cgroupDirsNamed(id) }
    } finally {
      await runt(['delete', '--force', id])
      fs.rmSync(root, { recursive: true, force: true })
    }
  }

  t.test('kill -9 at every step, then delete --force and list', async t => {
    const mounts = hostMountCount()
    const results: Awaited<ReturnType<typeof crash>>[] = []
    let next = 0
    const worker = async () => {
      while (next < scenarios.length) {
        const i = next++
        results[i] = await crash(scenarios[i], i)
      }
    }
    await Promise.all([worker(), worker(), worker()])
    scenarios.forEach((s, i) => {
      const r = results[i]
      t.test(`killed at ${s.point}`, async t => {
        t.equal(r.del.status, 0, `delete --force succeeds: ${r.del.stderr}`)
        t.equal(r.list.status, 0, `list succeeds: ${r.list.stderr}`)
        t.equal(r.list.stdout, '', 'list shows nothing')
        t.same(r.left, [], 'no state directory left (~creating-/~removing- included)')
        t.same(r.cgroups, [], 'no cgroup left')
      })
    })
    t.same(processesMentioning(`sleep ${sleeper}`), [], 'no container process left')
    t.equal(hostMountCount(), mounts, 'no mount left')
  })
}
