// pause / resume through bin/runt: the freezer really stops the container's processes,
// and state/list report it.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { containerSuite, shBundle, uniqueId } from './helpers'
import { readOr, sharedDir, sleepMs, waitUntil } from './cgroups-helpers'

const suite = containerSuite(t)
if (suite) {
  const { runt } = suite
  const status = (id: string) => JSON.parse(runt(['state', id]).stdout).status

  /** A running container whose shell counts in /mnt/count (a host directory); returns that file. */
  function counting(t: { teardown(fn: () => void): void }, id: string): string {
    let dir = ''
    const bundle = shBundle('i=0; while true; do i=$((i+1)); echo $i > /mnt/count; done', spec => {
      dir = sharedDir(spec)
    })
    t.teardown(() => {
      runt(['resume', id]) // delete --force of a frozen container is not this test's subject
      runt(['delete', '--force', id])
      fs.rmSync(bundle, { recursive: true, force: true })
      fs.rmSync(dir, { recursive: true, force: true })
    })
    const r = runt(['run', '-d', '-b', bundle, id])
    if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`)
    return path.join(dir, 'count')
  }
  const counter = (file: string) => Number(readOr(file, '0'))

  t.test('pause stops the processes and state/list say paused; resume lets them go on', async t => {
    const id = uniqueId('pause')
    const file = counting(t, id)
    t.ok(waitUntil(() => counter(file) > 0), 'the counter runs')

    const p = runt(['pause', id])
    t.equal(p.status, 0, p.stderr)
    t.equal(p.stdout, '')
    t.equal(status(id), 'paused')
    t.match(runt(['list']).stdout, new RegExp(`^${id}\\s+\\d+\\s+paused\\s`, 'm'))
    t.equal(JSON.parse(runt(['list', '--format', 'json']).stdout).find((c: any) => c.id === id).status, 'paused')

    const frozenAt = counter(file)
    sleepMs(300)
    t.equal(counter(file), frozenAt, 'the counter does not move while paused')

    const r = runt(['resume', id])
    t.equal(r.status, 0, r.stderr)
    t.equal(status(id), 'running')
    t.ok(waitUntil(() => counter(file) > frozenAt), 'the counter moves again after resume')
  })

  t.test('errors as runc: pause of a paused or stopped container, resume of a running one', async t => {
    const id = uniqueId('pause')
    counting(t, id)
    const notPaused = runt(['resume', id])
    t.equal(notPaused.status, 1)
    t.match(notPaused.stderr, /container not paused/)

    t.equal(runt(['pause', id]).status, 0)
    const twice = runt(['pause', id])
    t.equal(twice.status, 1)
    t.match(twice.stderr, /container not running/)
    t.equal(runt(['resume', id]).status, 0)

    t.equal(runt(['kill', id, 'KILL']).status, 0)
    t.ok(waitUntil(() => status(id) === 'stopped'))
    const stopped = runt(['pause', id])
    t.equal(stopped.status, 1)
    t.match(stopped.stderr, /container not running/)
    t.match(runt(['pause', 'no-such-container']).stderr, /container does not exist/)
  })

  t.test('a created container can be paused, and resumes to created', async t => {
    const id = uniqueId('pause')
    const bundle = shBundle('echo started')
    t.teardown(() => {
      runt(['resume', id])
      runt(['delete', '--force', id])
      fs.rmSync(bundle, { recursive: true, force: true })
    })
    const c = runt(['create', '-b', bundle, id])
    t.equal(c.status, 0, c.stderr)
    const p = runt(['pause', id])
    t.equal(p.status, 0, p.stderr)
    t.equal(status(id), 'paused')
    t.equal(runt(['resume', id]).status, 0)
    t.equal(status(id), 'created')
  })

  // delete.ts/kill.ts signal the init only: a frozen v1 task does not die of SIGKILL
  // until thawed, so these need a thaw after the SIGKILL there (reported to the lead).
  t.test('delete --force of a paused container ends it', async t => {
    const id = uniqueId('pause')
    counting(t, id)
    t.equal(runt(['pause', id]).status, 0)
    const d = runt(['delete', '--force', id])
    t.equal(d.status, 0, d.stderr)
    t.equal(runt(['state', id]).status, 1, 'gone')
  })

  t.test('kill KILL of a paused container stops it', async t => {
    const id = uniqueId('pause')
    counting(t, id)
    t.equal(runt(['pause', id]).status, 0)
    t.equal(runt(['kill', id, 'KILL']).status, 0)
    let status = ''
    for (let i = 0; i < 200 && (status = JSON.parse(runt(['state', id]).stdout).status) !== 'stopped'; i++) await new Promise(r => setTimeout(r, 10))
    t.equal(status, 'stopped')
  })
}
