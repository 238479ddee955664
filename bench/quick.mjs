// Quick side-by-side timings of runt and runc on the same busybox bundle, interleaved
// (A B A B ...), reporting medians: `--version`, `spec`, and a whole `run` of /bin/true
// (create + start + wait + delete in one call, as `runc run --rm` style use does).
// Usage (root, after scripts/setup.sh): node bench/quick.mjs [rounds]
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const runt = path.join(repo, 'bin', 'runt')
const rounds = Number(process.argv[2] ?? 20)
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-bench-'))
const bundle = path.join(tmp, 'bundle')
fs.mkdirSync(bundle)
const spec = JSON.parse(fs.readFileSync(path.join(repo, 'bundles/busybox/bundle/config.json'), 'utf8'))
spec.root = { path: path.join(repo, 'bundles/busybox/bundle/rootfs'), readonly: true }
spec.process.args = ['/bin/true']
fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec))

const runtimes = { runt, runc: 'runc' }
const cases = {
  '--version': () => ['--version'],
  spec: i => { const d = path.join(tmp, `spec-${i}`); fs.mkdirSync(d); return ['spec', '--bundle', d] },
  'run /bin/true': i => ['--root', path.join(tmp, 'root'), 'run', '--bundle', bundle, `b${i}`],
}
const ms = {}
let n = 0
for (let r = 0; r < rounds; r++) {
  for (const [name, args] of Object.entries(cases)) {
    for (const [rt, bin] of Object.entries(runtimes)) {
      const argv = args(n++)
      const t0 = process.hrtime.bigint()
      const res = spawnSync(bin, argv, { stdio: ['ignore', 'ignore', 'pipe'] })
      const dt = Number(process.hrtime.bigint() - t0) / 1e6
      if (res.status !== 0) throw new Error(`${rt} ${argv.join(' ')}: exit ${res.status}: ${res.stderr}`)
      ;((ms[name] ??= {})[rt] ??= []).push(dt)
    }
  }
}
const median = a => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1] }
console.log(`| call (median of ${rounds}) | runt ms | runc ms | runt/runc |`)
console.log('|---|---|---|---|')
for (const [name, by] of Object.entries(ms)) {
  const a = median(by.runt), b = median(by.runc)
  console.log(`| ${name} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(a / b).toFixed(2)} |`)
}
fs.rmSync(tmp, { recursive: true, force: true })
