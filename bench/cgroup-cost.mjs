// What cgroup set-up adds to `create`, for runt and runc on the same busybox bundle:
// median wall time of create with
//   minimal    no linux.resources, no cgroupsPath (the runtime's default group, nothing written)
//   path       no linux.resources, linux.cgroupsPath set (relative, one level deeper:
//              an absolute path would put the container outside the caller's own groups)
//   limits     linux.cgroupsPath + memory, cpu and pids limits
//   none       no cgroup at all: neither runtime has such a mode as root (runc makes a
//              group for every container; runt too), so it is reported as skipped
// interleaved (every round runs each runtime x config once, in an order that rotates),
// then the differences: limits - path (writing the limits) and path - minimal; in wall
// time (median) and in CPU time (mean; the runtime and what it waits for, not the
// container).
// Each container is deleted (untimed) before the next create.
//
//   node bench/cgroup-cost.mjs [rounds]        (root, after scripts/setup.sh; default 20)
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const rounds = Number(process.argv[2] ?? 20)
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-cgcost-'))
const MiB = 1024 * 1024

const base = JSON.parse(fs.readFileSync(path.join(repo, 'bundles/busybox/bundle/config.json'), 'utf8'))
base.ociVersion = '1.0.2'
base.root = { path: path.join(repo, 'bundles/busybox/bundle/rootfs'), readonly: true }
base.process.terminal = false
base.process.args = ['sleep', '1000']
delete base.linux.resources

const PARENT = `runt-cgcost-${process.pid}`
const CONFIGS = {
  minimal: () => ({}),
  path: id => ({ cgroupsPath: `${PARENT}/${id}` }),
  limits: id => ({
    cgroupsPath: `${PARENT}/${id}`,
    resources: { memory: { limit: 64 * MiB }, cpu: { shares: 512, quota: 50000, period: 100000 }, pids: { limit: 64 } },
  }),
}
const RUNTIMES = { runt: path.join(repo, 'bin', 'runt'), runc: 'runc' }
if (!fs.existsSync(RUNTIMES.runt)) throw new Error('bin/runt is missing: run scripts/setup.sh')

/** A bundle per runtime x config; its config.json is rewritten per container (cgroupsPath names it). */
const bundleOf = (rt, cfg) => path.join(tmp, `bundle-${rt}-${cfg}`)
const rootOf = rt => path.join(tmp, `root-${rt}`)
for (const rt of Object.keys(RUNTIMES)) for (const cfg of Object.keys(CONFIGS)) fs.mkdirSync(bundleOf(rt, cfg))

// stderr to a file: the created container inherits it, a pipe would hold spawnSync.
// The call runs under sh, whose `times` then gives the CPU time of the runtime and its
// helpers (clock ticks): on a loaded machine that says more than the wall time.
const errFile = path.join(tmp, 'stderr')
function call(rt, args) {
  const err = fs.openSync(errFile, 'w')
  const t0 = process.hrtime.bigint()
  const r = spawnSync('sh', ['-c', '"$@" || exit; times >&3', 'sh', RUNTIMES[rt], '--root', rootOf(rt), ...args], { stdio: ['ignore', 'ignore', err, 'pipe'], encoding: 'utf8' })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  fs.closeSync(err)
  if (r.status !== 0) throw new Error(`${rt} ${args.join(' ')}: exit ${r.status}: ${fs.readFileSync(errFile, 'utf8').trim()}`)
  // second line: children's user and system time, "0m0.120000s 0m0.030000s"
  const secs = (r.output[3] ?? '').split('\n')[1].split(' ').map(x => { const m = /^(\d+)m([\d.]+)s$/.exec(x.trim()); return m ? Number(m[1]) * 60 + Number(m[2]) : NaN })
  return { ms, cpuMs: (secs[0] + secs[1]) * 1000 }
}

const ms = {} // `${rt} ${cfg}` -> wall ms[]
const cpu = {} // `${rt} ${cfg}` -> CPU ms[]
const pairs = Object.keys(RUNTIMES).flatMap(rt => Object.keys(CONFIGS).map(cfg => [rt, cfg]))
try {
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < pairs.length; k++) {
      const [rt, cfg] = pairs[(k + r) % pairs.length]
      const id = `cgcost-${process.pid}-${rt}-${cfg}-${r}`
      const bundle = bundleOf(rt, cfg)
      fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify({ ...base, linux: { ...base.linux, ...CONFIGS[cfg](id) } }))
      const c = call(rt, ['create', '--bundle', bundle, id])
      ;(ms[`${rt} ${cfg}`] ??= []).push(c.ms)
      ;(cpu[`${rt} ${cfg}`] ??= []).push(c.cpuMs)
      call(rt, ['delete', '--force', id])
    }
  }
} finally {
  for (const rt of Object.keys(RUNTIMES)) {
    const root = rootOf(rt)
    for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) spawnSync(RUNTIMES[rt], ['--root', root, 'delete', '--force', id], { stdio: 'ignore' })
  }
  fs.rmSync(tmp, { recursive: true, force: true })
  // the intermediate group both runtimes made (and runc leaves), in every hierarchy
  spawnSync('sh', ['-c', `find /sys/fs/cgroup -depth -type d -name ${PARENT} -exec rmdir {} +`], { stdio: 'inherit' })
}

const median = a => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2 }
const mean = a => a.reduce((x, y) => x + y, 0) / a.length
const f = x => x.toFixed(1)
function table(title, stat, data) {
  const v = (rt, cfg) => stat(data[`${rt} ${cfg}`])
  console.log(`\n${title}`)
  console.log('| runtime | minimal | path | limits | none | limits - path | path - minimal |')
  console.log('|---|---|---|---|---|---|---|')
  for (const rt of Object.keys(RUNTIMES)) {
    console.log(`| ${rt} | ${f(v(rt, 'minimal'))} | ${f(v(rt, 'path'))} | ${f(v(rt, 'limits'))} | skipped | ${f(v(rt, 'limits') - v(rt, 'path'))} | ${f(v(rt, 'path') - v(rt, 'minimal'))} |`)
  }
}
console.log(`create of a busybox sleep, ${rounds} interleaved rounds (${os.cpus().length} cpus, load ${os.loadavg().map(l => l.toFixed(1)).join(' ')})`)
table('wall time, median ms', median, ms)
table('CPU time of the runtime and its helpers (user + system), mean ms', mean, cpu)
console.log('\nnone: skipped, neither runtime can create a container without a cgroup as root')
