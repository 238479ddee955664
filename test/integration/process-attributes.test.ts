// process.scheduler, process.ioPriority, linux.personality and linux.memoryPolicy as
// the container's process sees them (/proc/self/stat, ionice, uname, numa_maps), for
// the init and for an exec'd process, and the host's refusals as one clear line.

import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { cgroupDirsNamed, containerSuite, shBundle, tempDir, uniqueId } from './helpers'
import { startDetached, unified } from './cgroups-helpers'

const suite = containerSuite(t)

// nice, rt_priority and policy are fields 19, 40 and 41 of /proc/<pid>/stat
const SHOW = 'cut -d" " -f19,40,41 /proc/self/stat; ionice -p $$; uname -m; grep -m1 -o "bind:0\\|interleave:0\\|default" /proc/self/numa_maps'
const rtGroups = !unified && fs.existsSync('/sys/fs/cgroup/cpu/cpu.rt_runtime_us')

if (suite) {
  const { runt } = suite
  const bundles: string[] = []
  t.teardown(() => { for (const b of bundles) fs.rmSync(b, { recursive: true, force: true }) })
  const bundle = (script: string, edit: (spec: any) => void) => {
    const b = shBundle(script, edit)
    bundles.push(b)
    return b
  }

  t.test('the init runs with its scheduler, I/O priority, personality and memory policy', async t => {
    const b = bundle(SHOW, spec => {
      spec.process.scheduler = { policy: 'SCHED_BATCH', nice: 5 }
      spec.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 6 }
      spec.linux.personality = { domain: 'LINUX32' }
      spec.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' }
    })
    const r = runt(['run', '-b', b, uniqueId('attrs')])
    t.equal(r.status, 0, r.stderr)
    t.equal(r.stdout, '5 0 3\nbest-effort: prio 6\ni686\nbind:0\n', 'SCHED_BATCH nice 5, best-effort 6, i686, bound to node 0')
  })

  t.test('without them the process inherits the defaults', async t => {
    const r = runt(['run', '-b', bundle(SHOW, () => {}), uniqueId('attrs-none')])
    t.equal(r.status, 0, r.stderr)
    t.match(r.stdout, /^0 0 0\n.*\nx86_64\ndefault\n$/, 'SCHED_OTHER nice 0, the host machine, the default policy')
  })

  t.test('exec -p: the process.json scheduler and I/O priority apply to the exec\'d process', async t => {
    const { id } = startDetached(runt, t, 'attrs-exec', 'sleep 30', () => {})
    const dir = tempDir('runt-attrs-')
    t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
    const processJson = path.join(dir, 'process.json')
    fs.writeFileSync(processJson, JSON.stringify({
      args: ['sh', '-c', SHOW], cwd: '/', env: ['PATH=/usr/bin:/bin'], user: { uid: 0, gid: 0 },
      scheduler: { policy: 'SCHED_IDLE' }, ioPriority: { class: 'IOPRIO_CLASS_IDLE', priority: 0 },
    }))
    const r = runt(['exec', '-p', processJson, id])
    t.equal(r.status, 0, r.stderr)
    t.match(r.stdout, /^0 0 5\nidle\n/, 'SCHED_IDLE, idle I/O class')
  })

  t.test('SCHED_FIFO needs real-time CPU time in the container\'s cgroup', { skip: rtGroups ? false : 'no cgroup v1 RT group scheduling here' }, async t => {
    const fifo = (spec: any) => { spec.process.scheduler = { policy: 'SCHED_FIFO', priority: 50 } }
    const denied = uniqueId('attrs-fifo')
    const r = runt(['run', '-b', bundle(SHOW, fifo), denied])
    t.not(r.status, 0)
    t.equal(r.stderr.trim(), 'sched_setattr /process/scheduler: operation not permitted (EPERM); a real-time policy needs real-time CPU time ' +
      'in the container\'s cpu cgroup: set /linux/resources/cpu/realtimeRuntime')
    t.same(cgroupDirsNamed(denied), [], 'the failed run left no cgroup')
    const ok = runt(['run', '-b', bundle(SHOW, spec => {
      fifo(spec)
      spec.linux.resources.cpu = { realtimeRuntime: 10000, realtimePeriod: 1000000 }
    }), uniqueId('attrs-fifo')])
    t.equal(ok.status, 0, ok.stderr)
    t.match(ok.stdout, /^0 50 1\n/, 'SCHED_FIFO at priority 50')
  })

  t.test('a NUMA node the host does not have is refused before anything runs', async t => {
    const id = uniqueId('attrs-node')
    const r = runt(['run', '-b', bundle('echo ran', spec => { spec.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: '63' } }), id])
    t.not(r.status, 0)
    t.equal(r.stdout, '')
    t.match(r.stderr, /^\/linux\/memoryPolicy\/nodes: node 63 is not online on this host \(online: [\d,]+\)\n$/)
    t.same(cgroupDirsNamed(id), [], 'no cgroup left')
  })
}
