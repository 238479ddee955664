// The rest of linux.resources on a real kernel: block IO weights and throttles, huge page
// limits (on a hybrid host through its cgroup2 mount), unified keys, kernel memory, and
// what the host lacks (net_cls, rdma) refused by name. Runs on the host and, through
// test/v2/run.sh, in the cgroup v2 VM: each test says which layout it needs.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { RUNT, containerSuite, shBundle, uniqueId } from './helpers'
import { layout, readOr, startDetached, unified } from './cgroups-helpers'
import { hostHugePageSizes } from '../../src/cgroups/hugetlb'

const MiB = 1024 * 1024
const hybrid = layout.mode === 'hybrid'
const cgroup2 = layout.hierarchies.find(h => h.version === 2)
const hugetlbThere = unified ? cgroup2?.controllers.includes('hugetlb') : layout.hierarchies.some(h => h.controllers.includes('hugetlb'))
const hugetlbSkip = !hostHugePageSizes().includes('2MB') ? 'the kernel has no 2MB huge pages' : !hugetlbThere ? 'no hugetlb controller on this host' : false

/** A block device of the host as "major:minor": a disk where there is one, else a loop or ram device (the VM has no disk). */
function hostDisk(): string | undefined {
  const devs = fs.readdirSync('/sys/block').sort().map(name => ({ name, dev: readOr(path.join('/sys/block', name, 'dev')) })).filter(d => /^\d+:\d+$/.test(d.dev))
  return (devs.find(d => !/^(loop|ram|zram|nbd)/.test(d.name)) ?? devs.find(d => /^(loop|ram)/.test(d.name)))?.dev
}

const v1Mount = (c: string) => layout.hierarchies.find(h => h.version === 1 && h.controllers.includes(c))?.mountpoint
const leafWeights = !unified && fs.existsSync(path.join(v1Mount('blkio') ?? '/nonexistent', 'blkio.leaf_weight'))
const disk = unified ? hostDisk() : undefined

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite
  const start = (t: { teardown(fn: () => void): void }, edit: (spec: any) => void) =>
    startDetached(runt, t, 'res', 'exec sleep 1000', spec => { edit(spec) })
  const paths = (id: string): Record<string, string> => JSON.parse(fs.readFileSync(path.join(root, id, 'state.json'), 'utf8')).cgroupPaths
  /** the container's group holding this controller's files (hugetlb: the cgroup2 one on this kind of hybrid host) */
  const groupOf = (id: string, controller: string): string => {
    const p = paths(id)
    const key = Object.keys(p).find(k => k.split(',').includes(controller)) ?? 'unified'
    return p[key]
  }
  const createFails = (t: { teardown(fn: () => void): void }, edit: (spec: any) => void) => {
    const id = uniqueId('res')
    const bundle = shBundle('true', spec => { edit(spec) })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const r = runt(['create', '-b', bundle, id])
    return { ...r, left: runt(['state', id]).status === 0 }
  }

  t.test('hugepageLimits: the 2MB limit (and its reservation) in the container\'s group; events --stats reports it', { skip: hugetlbSkip }, async t => {
    const { id } = start(t, spec => { spec.linux.resources = { ...spec.linux.resources, hugepageLimits: [{ pageSize: '2MB', limit: 2 * MiB }] } })
    const dir = groupOf(id, 'hugetlb')
    if (hybrid && !layout.hierarchies.some(h => h.version === 1 && h.controllers.includes('hugetlb'))) {
      t.equal(dir, paths(id).unified, 'hybrid: the group in the cgroup2 mount')
      t.ok(dir.startsWith(cgroup2!.mountpoint))
    }
    const v2 = dir.startsWith(cgroup2?.mountpoint ?? '\0')
    t.equal(readOr(path.join(dir, v2 ? 'hugetlb.2MB.max' : 'hugetlb.2MB.limit_in_bytes')), String(2 * MiB))
    const rsvd = path.join(dir, v2 ? 'hugetlb.2MB.rsvd.max' : 'hugetlb.2MB.rsvd.limit_in_bytes')
    if (fs.existsSync(rsvd)) t.equal(readOr(rsvd), String(2 * MiB), 'the reservation limit too')
    const r = runt(['events', '--stats', id])
    t.equal(r.status, 0, r.stderr)
    t.match(JSON.parse(r.stdout).data.hugetlb, { '2MB': { failcnt: 0 } })
    const update = spawnSync(RUNT, ['--root', root, 'update', '-r', '-', id], { input: `{"hugepageLimits":[{"pageSize":"2MB","limit":${4 * MiB}}]}`, encoding: 'utf8' })
    t.equal(update.status, 0, update.stderr)
    t.equal(readOr(path.join(dir, v2 ? 'hugetlb.2MB.max' : 'hugetlb.2MB.limit_in_bytes')), String(4 * MiB), 'update changes it')
    t.equal(runt(['delete', '--force', id]).status, 0)
    t.notOk(fs.existsSync(dir), 'delete removes the group')
  })

  t.test('hugepageLimits: a page size the host lacks is an error naming the entry, and nothing is left', { skip: hugetlbSkip }, async t => {
    const r = createFails(t, spec => { spec.linux.resources = { ...spec.linux.resources, hugepageLimits: [{ pageSize: '2MB', limit: 0 }, { pageSize: '32MB', limit: 0 }] } })
    t.equal(r.status, 1)
    t.match(r.stderr, /linux\.resources\.hugepageLimits\[1\]\.pageSize: "32MB" is not a huge page size of this host/)
    t.notOk(r.left)
  })

  t.test('unified keys: written to the cgroup2 group; one naming a controller it lacks is an error naming the key', { skip: !cgroup2 && 'no cgroup2 mount' }, async t => {
    const key = unified ? 'pids.max' : hugetlbSkip ? undefined : 'hugetlb.2MB.max'
    if (key) {
      const { id } = start(t, spec => { spec.linux.resources = { ...spec.linux.resources, pids: { limit: 50 }, unified: { [key]: '12' } } })
      t.equal(readOr(path.join(paths(id).unified, key)), unified ? '12' : '0', unified ? 'the unified key wins over pids.limit' : 'the kernel rounds a hugetlb limit down to whole pages')
    }
    const r = createFails(t, spec => { spec.linux.resources = { ...spec.linux.resources, unified: { 'nosuch.max': '1' } } })
    t.equal(r.status, 1)
    t.match(r.stderr, /linux\.resources\.unified\["nosuch\.max"\]: needs the nosuch controller/)
    t.notOk(r.left)
  })

  t.test('blockIO weight: runc\'s file for this kernel holds it; update --blkio-weight changes it', async t => {
    const { id } = start(t, spec => { spec.linux.resources = { ...spec.linux.resources, blockIO: { weight: 300 } } })
    const dir = groupOf(id, unified ? 'io' : 'blkio')
    const weight = () => {
      for (const f of ['blkio.weight', 'blkio.bfq.weight', 'io.bfq.weight']) if (fs.existsSync(path.join(dir, f))) return readOr(path.join(dir, f))
      return readOr(path.join(dir, 'io.weight'))
    }
    const converted = (w: number) => 1 + Math.floor(((w - 10) * 9999) / 990)
    const expect = (w: number) => fs.existsSync(path.join(dir, 'io.weight')) && !fs.existsSync(path.join(dir, 'io.bfq.weight')) ? `default ${converted(w)}` : unified ? `default ${w}` : String(w)
    t.equal(weight(), expect(300))
    const r = runt(['update', '--blkio-weight', '700', id])
    t.equal(r.status, 0, r.stderr)
    t.equal(weight(), expect(700))
  })

  t.test('blockIO throttles on cgroup v2: io.max per device', { skip: !unified ? 'cgroup v1 throttles are tested in cgroups-limits' : !disk && 'no block device' }, async t => {
    const [major, minor] = disk!.split(':').map(Number)
    const { id } = start(t, spec => {
      spec.linux.resources = { ...spec.linux.resources, blockIO: { throttleReadBpsDevice: [{ major, minor, rate: MiB }], throttleWriteIOPSDevice: [{ major, minor, rate: 120 }] } }
    })
    const line = readOr(path.join(paths(id).unified, 'io.max')).split('\n').find(l => l.startsWith(`${disk} `))
    t.match(line, new RegExp(`^${disk} rbps=${MiB} wbps=max riops=max wiops=120`))
  })

  t.test('blockIO leafWeight: a kernel without leaf weights refuses by name (v2 has none at all)', { skip: leafWeights && 'this kernel has leaf weights (CFQ)' }, async t => {
    const r = createFails(t, spec => { spec.linux.resources = { ...spec.linux.resources, blockIO: { leafWeight: 500 } } })
    t.equal(r.status, 1)
    t.match(r.stderr, unified ? /linux\.resources\.blockIO\.leafWeight: cgroup v2 has no leaf weights/ : /blkio\.leaf_weight/)
    t.notOk(r.left)
  })

  t.test('network and rdma: hosts without net_cls or rdma refuse them by name', { skip: !unified && v1Mount('net_cls') !== undefined && 'net_cls is mounted here' }, async t => {
    const net = createFails(t, spec => { spec.linux.resources = { ...spec.linux.resources, network: { classID: 0x100001 } } })
    t.equal(net.status, 1)
    t.match(net.stderr, /linux\.resources\.network/)
    t.notOk(net.left)
    const hasRdma = layout.hierarchies.some(h => h.controllers.includes('rdma'))
    if (hasRdma) return
    const rdma = createFails(t, spec => { spec.linux.resources = { ...spec.linux.resources, rdma: { mlx5_0: { hcaHandles: 2 } } } })
    t.equal(rdma.status, 1)
    t.match(rdma.stderr, /linux\.resources\.rdma: needs the rdma/)
    t.notOk(rdma.left)
  })

  t.test('memory.kernel and kernelTCP: ignored with a warning, as runc does', async t => {
    const id = uniqueId('res')
    const bundle = shBundle('true', spec => { spec.linux.resources = { ...spec.linux.resources, memory: { limit: 64 * MiB, kernel: 32 * MiB, kernelTCP: 16 * MiB } } })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const r = runt(['run', '-b', bundle, id])
    t.equal(r.status, 0, r.stderr)
    t.match(r.stderr, /linux\.resources\.memory\.kernel is ignored/)
    t.match(r.stderr, /linux\.resources\.memory\.kernelTCP is ignored/)
    runt(['delete', '--force', id])
  })

  t.test('memory.checkBeforeUpdate on cgroup v2: update refuses a limit below the usage', { skip: !unified && 'cgroup v1: the kernel itself refuses' }, async t => {
    const { id } = start(t, spec => { spec.linux.resources = { ...spec.linux.resources, memory: { limit: 64 * MiB, checkBeforeUpdate: true } } })
    const update = spawnSync(RUNT, ['--root', root, 'update', '-r', '-', id], { input: '{"memory":{"limit":4096}}', encoding: 'utf8' })
    t.equal(update.status, 1)
    t.match(update.stderr, /linux\.resources\.memory\.limit: 4096 is not above the current memory usage/)
    t.equal(readOr(path.join(paths(id).unified, 'memory.max')), String(64 * MiB), 'the limit stays')
  })
}
