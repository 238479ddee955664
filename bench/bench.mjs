// runt against runc and crun on the same busybox bundle, in the same run, interleaved
// (one call of each runtime in turn, the order rotating every round).
//
//   node bench/bench.mjs [--rounds N] [--seconds S]     (root; `npm run bench` sets up first)
//
// Measures per-call latency of create, start, state, exec --detach, kill and delete,
// the whole lifecycle (create + start + kill + delete --force), sequential and 2-way
// parallel lifecycles per second, and peak RSS per call. Prints a markdown table and
// writes it, with an SVG chart, under bench/results/. Exits non-zero only on errors.
//
// crun 1.8 refuses this machine's hybrid cgroups: it runs in a private mount namespace
// with the cgroup2 mount hidden ("crun" below); "runc+wrap" is runc through the same
// wrapper, so the wrapper's own cost can be read off. The bundle declares ociVersion
// 1.0.2, the newest crun 1.8 accepts.

import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt }
const ROUNDS = arg('--rounds', 30)
const SECONDS = arg('--seconds', 5)

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-bench-'))
const bundle = path.join(tmp, 'bundle')
fs.mkdirSync(bundle)
const spec = JSON.parse(fs.readFileSync(path.join(repo, 'bundles/busybox/bundle/config.json'), 'utf8'))
spec.ociVersion = '1.0.2'
spec.root = { path: path.join(repo, 'bundles/busybox/bundle/rootfs'), readonly: true }
spec.process.terminal = false
spec.process.args = ['sleep', '1000']
fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec))

const hideV2 = ['unshare', '-m', 'sh', '-c', 'umount /sys/fs/cgroup/unified && exec "$@"', 'sh']
const RUNTIMES = {
  runt: [path.join(repo, 'bin', 'runt')],
  runc: ['runc'],
  crun: [...hideV2, 'crun'],
  'runc+wrap': [...hideV2, 'runc'],
}
// crun is only needed here: install Debian's package when it is missing
const have = bin => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0
if (!have('crun')) {
  const apt = spawnSync('sh', ['-c', 'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq crun || { apt-get update -qq && apt-get install -y -qq crun; }'], { stdio: 'inherit' })
  if (apt.status !== 0) throw new Error('crun is missing and could not be installed')
}
if (!have('runc') || !fs.existsSync(RUNTIMES.runt[0])) throw new Error('runc or bin/runt is missing: run scripts/setup.sh')
const rootOf = name => path.join(tmp, `root-${name}`)
const cmd = (name, args) => [...RUNTIMES[name], '--root', rootOf(name), ...args]

// stderr goes to a file: a detached container inherits it, and a pipe would keep
// spawnSync waiting until the container ends
const errFile = path.join(tmp, 'stderr')
function timed(name, args, { allowFail = false } = {}) {
  const [bin, ...rest] = cmd(name, args)
  const err = fs.openSync(errFile, 'w')
  const t0 = process.hrtime.bigint()
  const r = spawnSync(bin, rest, { stdio: ['ignore', 'ignore', err] })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  fs.closeSync(err)
  if (r.status !== 0 && !allowFail) throw new Error(`${name} ${args.join(' ')}: exit ${r.status}: ${fs.readFileSync(errFile, 'utf8').trim()}`)
  return { ms, ok: r.status === 0 }
}

const CALLS = ['create', 'start', 'state', 'exec --detach', 'kill', 'delete', 'lifecycle']
const samples = {} // call -> runtime -> ms[]
const add = (call, name, ms) => (((samples[call] ??= {})[name] ??= []).push(ms))
const execSupported = {}

/** One container through every call; returns nothing, records each call. */
function lifecycle(name, id) {
  const c = timed(name, ['create', '--bundle', bundle, id])
  const s = timed(name, ['start', id])
  add('state', name, timed(name, ['state', id]).ms)
  const e = timed(name, ['exec', '--detach', id, 'true'], { allowFail: true })
  if (e.ok) add('exec --detach', name, e.ms)
  execSupported[name] = e.ok
  const k = timed(name, ['kill', id, 'KILL'])
  const d = timed(name, ['delete', '--force', id])
  add('create', name, c.ms); add('start', name, s.ms); add('kill', name, k.ms); add('delete', name, d.ms)
  add('lifecycle', name, c.ms + s.ms + k.ms + d.ms)
}

const names = Object.keys(RUNTIMES)
let seq = 0
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < names.length; i++) lifecycle(names[(r + i) % names.length], `b${seq++}`)
}

/** Lifecycles per second over SECONDS, with `ways` running at once. */
async function throughput(name, ways) {
  const deadline = Date.now() + SECONDS * 1000
  let done = 0
  const run = (args) => new Promise((resolve, reject) => {
    const [bin, ...rest] = cmd(name, args)
    const child = spawn(bin, rest, { stdio: ['ignore', 'ignore', 'ignore'] })
    child.on('exit', code => (code === 0 ? resolve() : reject(new Error(`${name} ${args[0]} exit ${code}`))))
  })
  const worker = async w => {
    for (let n = 0; Date.now() < deadline; n++) {
      const id = `t${w}-${n}-${seq++}`
      await run(['create', '--bundle', bundle, id]); await run(['start', id]); await run(['kill', id, 'KILL']); await run(['delete', '--force', id])
      done++
    }
  }
  const t0 = Date.now()
  await Promise.all(Array.from({ length: ways }, (_, w) => worker(w)))
  return done / ((Date.now() - t0) / 1000)
}
const rates = {}
for (const ways of [1, 2]) for (const name of names) (rates[name] ??= {})[ways] = await throughput(name, ways)

/** Peak RSS (KiB) of each call, from GNU time, a few rounds, largest kept. */
const rss = {}
for (let r = 0; r < 3; r++) {
  for (const name of names) {
    const id = `rss${seq++}`
    for (const args of [['create', '--bundle', bundle, id], ['start', id], ['state', id], ['kill', id, 'KILL'], ['delete', '--force', id]]) {
      const [bin, ...rest] = cmd(name, args)
      const rssFile = path.join(tmp, 'rss')
      spawnSync('/usr/bin/time', ['-o', rssFile, '-f', '%M', bin, ...rest], { stdio: 'ignore' })
      const kib = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop())
      const key = args[0]
      rss[name] = rss[name] ?? {}
      rss[name][key] = Math.max(rss[name][key] ?? 0, kib)
    }
  }
}

const sorted = a => [...a].sort((x, y) => x - y)
const median = a => { const s = sorted(a); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2 }
const f1 = x => (x === undefined ? 'n/a' : x.toFixed(1))
const ratio = (a, b) => (a === undefined || b === undefined ? 'n/a' : (a / b).toFixed(2))

const nodeStart = []
for (let i = 0; i < 15; i++) { const t0 = process.hrtime.bigint(); spawnSync(process.execPath, ['-e', '0']); nodeStart.push(Number(process.hrtime.bigint() - t0) / 1e6) }

const lines = []
lines.push(`# runt vs runc vs crun — ${new Date().toISOString()}`, '')
lines.push(`${os.cpus().length} cores, kernel ${os.release()}, ${ROUNDS} interleaved rounds; runc ${spawnSync('runc', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].replace('runc version ', '')}, crun ${spawnSync('crun', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].replace('crun version ', '')}; \`node -e 0\` median ${f1(median(nodeStart))} ms`, '')
lines.push('| call | runt ms (min–max) | runc ms | crun ms | runc+wrap ms | runt/runc | runt/crun |', '|---|---|---|---|---|---|---|')
const med = {}
for (const call of CALLS) {
  const by = samples[call] ?? {}
  med[call] = Object.fromEntries(names.map(n => [n, by[n]?.length ? median(by[n]) : undefined]))
  const rt = by.runt ?? []
  const range = rt.length ? `${f1(median(rt))} (${f1(sorted(rt)[0])}–${f1(sorted(rt)[rt.length - 1])})` : 'n/a'
  lines.push(`| ${call} | ${range} | ${f1(med[call].runc)} | ${f1(med[call].crun)} | ${f1(med[call]['runc+wrap'])} | ${ratio(med[call].runt, med[call].runc)} | ${ratio(med[call].runt, med[call].crun)} |`)
}
lines.push('', '| lifecycles per second | runt | runc | crun | runc+wrap |', '|---|---|---|---|---|')
for (const ways of [1, 2]) lines.push(`| ${ways === 1 ? 'sequential' : '2-way parallel'} | ${names.map(n => f1(rates[n][ways])).join(' | ')} |`)
lines.push('', '| peak RSS MiB | create | start | state | kill | delete |', '|---|---|---|---|---|---|')
for (const n of names) lines.push(`| ${n} | ${['create', 'start', 'state', 'kill', 'delete'].map(k => (rss[n][k] / 1024).toFixed(1)).join(' | ')} |`)
if (!execSupported.runt) lines.push('', '`exec --detach`: runt has no exec yet in this build (n/a).')
const table = lines.join('\n') + '\n'
process.stdout.write(table)

// an SVG bar chart of the medians
const W = 720, H = 320, pad = 50, colors = { runt: '#d9534f', runc: '#337ab7', crun: '#5cb85c', 'runc+wrap': '#999' }
const max = Math.max(...CALLS.flatMap(c => names.map(n => med[c][n] ?? 0)))
const groupW = (W - pad * 2) / CALLS.length, barW = groupW / (names.length + 1)
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">\n`
svg += `<text x="${pad}" y="18" font-size="13">median ms per call (lower is better)</text>\n`
CALLS.forEach((c, i) => {
  names.forEach((n, j) => {
    const v = med[c][n] ?? 0, h = (v / max) * (H - pad * 2)
    svg += `<rect x="${(pad + i * groupW + j * barW).toFixed(1)}" y="${(H - pad - h).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[n]}"><title>${n} ${c}: ${f1(v)} ms</title></rect>\n`
  })
  svg += `<text x="${(pad + i * groupW).toFixed(1)}" y="${H - pad + 14}">${c}</text>\n`
})
names.forEach((n, j) => { svg += `<rect x="${W - 120}" y="${30 + j * 16}" width="10" height="10" fill="${colors[n]}"/><text x="${W - 105}" y="${39 + j * 16}">${n}</text>\n` })
svg += '</svg>\n'
const out = path.join(repo, 'bench', 'results')
fs.mkdirSync(out, { recursive: true })
fs.writeFileSync(path.join(out, 'latest.md'), table)
fs.writeFileSync(path.join(out, 'latest.svg'), svg)
fs.rmSync(tmp, { recursive: true, force: true })
