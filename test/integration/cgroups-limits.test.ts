// linux.resources from config.json on real containers through bin/runt: the limits land
// in the kernel's files and hold (fork bomb); what runt cannot apply is refused by name.
// Device rules: device-filter.test.ts.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { containerSuite, shBundle, uniqueId } from './helpers'
import { cgroupValue, readOr, startDetached, unified, waitUntil } from './cgroups-helpers'

const MiB = 1024 * 1024

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite

  const start = (t: { teardown(fn: () => void): void }, script: string, edit: (spec: any) => void) =>
    startDetached(runt, t, 'limits', script, edit)

  t.test('memory, cpu, pids and cpuset limits appear in the container\'s cgroup files', async t => {
    const { id } = start(t, 'exec sleep 1000', spec => {
      spec.linux.resources = { ...spec.linux.resources, memory: { limit: 64 * MiB, reservation: 32 * MiB }, cpu: { shares: 512, quota: 50000, period: 100000, cpus: '0' }, pids: { limit: 42 } }
    })
    t.equal(cgroupValue(root, id, 'memory', 'memory.limit_in_bytes', 'memory.max'), String(64 * MiB))
    t.equal(cgroupValue(root, id, 'memory', 'memory.soft_limit_in_bytes', 'memory.low'), String(32 * MiB))
    t.equal(cgroupValue(root, id, 'pids', 'pids.max', 'pids.max'), '42')
    t.equal(cgroupValue(root, id, 'cpuset', 'cpuset.cpus', 'cpuset.cpus'), '0')
    if (unified) {
      t.equal(cgroupValue(root, id, 'cpu', '', 'cpu.max'), '50000 100000')
      t.equal(cgroupValue(root, id, 'cpu', '', 'cpu.weight'), '20', 'shares 512 as a weight')
    } else {
      t.equal(cgroupValue(root, id, 'cpu', 'cpu.cfs_quota_us', ''), '50000')
      t.equal(cgroupValue(root, id, 'cpu', 'cpu.cfs_period_us', ''), '100000')
      t.equal(cgroupValue(root, id, 'cpu', 'cpu.shares', ''), '512')
    }
  })

  t.test('a fork bomb stops at pids.max', async t => {
    // a child shell forks background sleeps until the kernel refuses (busybox sh then exits)
    const { id, dir } = start(t, 'sh -c "while true; do sleep 1000 & done" 2>/mnt/err; echo done > /mnt/done; exec sleep 1000', spec => {
      spec.linux.resources = { ...spec.linux.resources, pids: { limit: 20 } }
    })
    t.ok(waitUntil(() => fs.existsSync(path.join(dir, 'done'))), 'the loop finished')
    t.ok(Number(cgroupValue(root, id, 'pids', 'pids.current', 'pids.current')) <= 20, 'no more than pids.max processes')
    t.match(cgroupValue(root, id, 'pids', 'pids.events', 'pids.events'), /^max [1-9]/, 'the kernel counted refused forks')
    t.match(readOr(path.join(dir, 'err')), /fork|resource temporarily unavailable/i, 'the shell was refused a fork')
  })

  t.test('resources runt cannot apply are refused at create, by name, and leave nothing behind', async t => {
    const id = uniqueId('limits')
    const bundle = shBundle('true', spec => {
      // net_cls: not mounted on the development hosts, absent from cgroup v2; an unknown page size
      spec.linux.resources = { ...spec.linux.resources, network: { classID: 1 }, hugepageLimits: [{ pageSize: '3MB', limit: 2 * MiB }] }
    })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const r = runt(['create', '-b', bundle, id])
    t.equal(r.status, 1)
    t.match(r.stderr, unified ? /linux\.resources\.network: / : /linux\.resources\.hugepageLimits\[0\]\.pageSize: "3MB"/)
    t.equal(runt(['state', id]).status, 1, 'no container was left')
  })

  t.test('a limit the kernel refuses is an error naming the setting', async t => {
    const bundle = shBundle('true', spec => {
      spec.linux.resources = { ...spec.linux.resources, cpu: { cpus: '4096' } }
    })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const r = runt(['run', '-b', bundle, uniqueId('limits')])
    t.equal(r.status, 1)
    t.match(r.stderr, /linux\.resources: the kernel refused cpuset\.cpus = 4096/)
  })
}
