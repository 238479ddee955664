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
// Runtimes: "runt" is bin/runt as it is; "runt-direct" is bin/runt with RUNT_PATH=direct
// (the node process per call, never a warm planner). crun 1.8 refuses this machine's
// hybrid cgroups: it runs in a private mount namespace with the cgroup2 mount hidden
// ("crun" below); "runc+wrap" is runc through the same wrapper, so the wrapper's own cost
// can be read off. The bundle declares ociVersion 1.0.2, the newest crun 1.8 accepts.
//
// Every call is made as a shim makes it (bench/shim-env.mjs): under a subreaper that
// reaps each dead init at once, in an environment without NODE_EXTRA_CA_CERTS and
// NODE_OPTIONS (--keep-env keeps them; `node -e 0` is measured in the same environment
// as the runtimes either way).

import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runtimeEnv, underSubreaper } from './shim-env.mjs'

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt }
const ROUNDS = arg('--rounds', 30)
const SECONDS = arg('--seconds', 5)
const KEEP_ENV = process.argv.includes('--keep-env')

underSubreaper()
const env = runtimeEnv(KEEP_ENV)

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
const runtBin = path.join(repo, 'bin', 'runt')
const RUNTIMES = {
  runt: [runtBin],
  'runt-direct': [runtBin],
  runc: ['runc'],
  crun: [...hideV2, 'crun'],
  'runc+wrap': [...hideV2, 'runc'],
}
const ENV = Object.fromEntries(Object.keys(RUNTIMES).map(n => [n, n === 'runt-direct' ? { ...env, RUNT_PATH: 'direct' } : env]))
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
  const r = spawnSync(bin, rest, { stdio: ['ignore', 'ignore', err], env: ENV[name] })
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

/** `node -e 0` in the runtimes' environment: the floor of any node process. */
const nodeStart = []
function nodeFloor() {
  const t0 = process.hrtime.bigint()
  spawnSync(process.execPath, ['-e', '0'], { env })
  nodeStart.push(Number(process.hrtime.bigint() - t0) / 1e6)
}

// A failed run leaves no container behind: every container in every root is deleted.
process.on('exit', () => {
  for (const name of Object.keys(RUNTIMES)) {
    const root = rootOf(name)
    for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) {
      const [bin, ...rest] = cmd(name, ['delete', '--force', id])
      spawnSync(bin, rest, { stdio: 'ignore', env: ENV[name] })
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true })
})

const names = Object.keys(RUNTIMES)
let seq = 0
// the floor is sampled next to every lifecycle, so it sees the machine as the calls do
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < names.length; i++) {
    nodeFloor()
    lifecycle(names[(r + i) % names.length], `b${seq++}`)
  }
}

/** Lifecycles per second over SECONDS, with `ways` running at once. */
async function throughput(name, ways) {
  const deadline = Date.now() + SECONDS * 1000
  let done = 0
  const run = (args) => new Promise((resolve, reject) => {
    const [bin, ...rest] = cmd(name, args)
    const child = spawn(bin, rest, { stdio: ['ignore', 'ignore', 'ignore'], env: ENV[name] })
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
      spawnSync('/usr/bin/time', ['-o', rssFile, '-f', '%M', bin, ...rest], { stdio: 'ignore', env: ENV[name] })
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


const lines = []
const RUNTS = ['runt', 'runt-direct']
const OTHERS = ['runc', 'crun', 'runc+wrap']
lines.push(`# runt vs runc vs crun — ${new Date().toISOString()}`, '')
lines.push(`${os.cpus().length} cores, kernel ${os.release()}, ${ROUNDS} interleaved rounds; runc ${spawnSync('runc', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].replace('runc version ', '')}, crun ${spawnSync('crun', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].replace('crun version ', '')}; \`node -e 0\` median ${f1(median(nodeStart))} ms (min–max ${f1(sorted(nodeStart)[0])}–${f1(sorted(nodeStart)[nodeStart.length - 1])})`, '')
lines.push(`| call | ${RUNTS.map(n => `${n} ms (min–max)`).join(' | ')} | ${OTHERS.map(n => `${n} ms`).join(' | ')} | ${RUNTS.flatMap(n => [`${n}/runc`, `${n}/crun`]).join(' | ')} |`)
lines.push(`|${'---|'.repeat(1 + RUNTS.length + OTHERS.length + RUNTS.length * 2)}`)
const med = {}
for (const call of CALLS) {
  const by = samples[call] ?? {}
  med[call] = Object.fromEntries(names.map(n => [n, by[n]?.length ? median(by[n]) : undefined]))
  const range = n => { const s = sorted(by[n] ?? []); return s.length ? `${f1(median(s))} (${f1(s[0])}–${f1(s[s.length - 1])})` : 'n/a' }
  const ratios = RUNTS.flatMap(n => [ratio(med[call][n], med[call].runc), ratio(med[call][n], med[call].crun)])
  lines.push(`| ${call} | ${RUNTS.map(range).join(' | ')} | ${OTHERS.map(n => f1(med[call][n])).join(' | ')} | ${ratios.join(' | ')} |`)
}
lines.push('', `| lifecycles per second | ${names.join(' | ')} |`, `|${'---|'.repeat(names.length + 1)}`)
for (const ways of [1, 2]) lines.push(`| ${ways === 1 ? 'sequential' : '2-way parallel'} | ${names.map(n => f1(rates[n][ways])).join(' | ')} |`)
lines.push('', '| peak RSS MiB | create | start | state | kill | delete |', '|---|---|---|---|---|---|')
for (const n of names) lines.push(`| ${n} | ${['create', 'start', 'state', 'kill', 'delete'].map(k => (rss[n][k] / 1024).toFixed(1)).join(' | ')} |`)
lines.push('', 'Notes:')
lines.push('- The container runs `sleep 1000` (not /bin/true), so that `exec --detach` has a running container and `kill` hits a live init; lifecycle = create + start + kill KILL + delete --force, the sum of those four calls.')
lines.push('- Calls are made under a child subreaper that reaps each dead init at once (bench/subreaper.c), as containerd\'s shim and conmon do.')
lines.push(`- Environment: ${KEEP_ENV ? 'as given (--keep-env)' : 'NODE_EXTRA_CA_CERTS and NODE_OPTIONS removed'}${process.env.NODE_EXTRA_CA_CERTS && !KEEP_ENV ? ' (this machine sets NODE_EXTRA_CA_CERTS: ~70 ms per node start when kept)' : ''}.`)
for (const n of names) if (!execSupported[n]) lines.push(`- \`exec --detach\`: ${n} failed it (n/a).`)
const table = lines.join('\n') + '\n'
process.stdout.write(table)

// an SVG bar chart of the medians
const W = 720, H = 320, pad = 50, colors = { runt: '#d9534f', 'runt-direct': '#f0ad4e', runc: '#337ab7', crun: '#5cb85c', 'runc+wrap': '#999' }
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
