// Per-call start-up cost of runt: medians of `node -e 0` and of the simple commands on a
// busybox container, interleaved in each round (create untimed, then --version, state,
// kill CONT, start of /bin/true, delete once it stopped), and each one's excess over node.
// Calls are made as a shim makes them (bench/shim-env.mjs: under a reaping subreaper,
// without NODE_EXTRA_CA_CERTS; RUNT_PATH, when set, goes through to runt).
// Usage (root, after scripts/setup.sh): node bench/startup.mjs [rounds] [path/to/runt]
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runtimeEnv, underSubreaper } from './shim-env.mjs'

underSubreaper()
const env = runtimeEnv()

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const rounds = Number(process.argv[2] ?? 20)
const runt = path.resolve(process.argv[3] ?? path.join(repo, 'bin', 'runt'))
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-startup-'))
const root = path.join(tmp, 'root')
const bundle = path.join(tmp, 'bundle')
fs.mkdirSync(bundle)
const spec = JSON.parse(fs.readFileSync(path.join(repo, 'bundles/busybox/bundle/config.json'), 'utf8'))
spec.root = { path: path.join(repo, 'bundles/busybox/bundle/rootfs'), readonly: true }
spec.process.args = ['/bin/true']
spec.process.terminal = false
fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec))

// stdio of `create` is the container's own: a pipe there would hold spawnSync until it exits.
function run(bin, args) {
  const stdio = args.includes('create') ? 'ignore' : ['ignore', 'pipe', 'pipe']
  const t0 = process.hrtime.bigint()
  const res = spawnSync(bin, args, { stdio, encoding: 'utf8', env })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (res.status !== 0) throw new Error(`${bin} ${args.join(' ')}: exit ${res.status}: ${res.stderr}`)
  return { ms, stdout: res.stdout }
}
const runtCall = (...args) => run(runt, ['--root', root, ...args])
function waitStopped(id) {
  while (JSON.parse(runtCall('state', id).stdout).status !== 'stopped') spawnSync('sleep', ['0.01'])
}

const ms = {}
const record = (name, t) => (ms[name] ??= []).push(t)
try {
  for (let r = 0; r < rounds; r++) {
    const id = `s${r}`
    runtCall('create', '--bundle', bundle, id)
    record('node -e 0', run(process.execPath, ['-e', '0']).ms)
    record('runt --version', run(runt, ['--version']).ms)
    record('runt state', runtCall('state', id).ms)
    record('runt kill CONT', runtCall('kill', id, 'CONT').ms)
    record('runt start', runtCall('start', id).ms)
    waitStopped(id)
    record('runt delete', runtCall('delete', id).ms)
  }
} finally {
  for (const id of fs.existsSync(root) ? fs.readdirSync(root) : []) spawnSync(runt, ['--root', root, 'delete', '--force', id], { env })
  fs.rmSync(tmp, { recursive: true, force: true })
}

const median = a => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1] }
const node = median(ms['node -e 0'])
console.log(`${runt}, median of ${rounds}`)
console.log('| call | ms | minus node -e 0 |')
console.log('|---|---|---|')
for (const [name, times] of Object.entries(ms)) {
  const m = median(times)
  console.log(`| ${name} | ${m.toFixed(1)} | ${name === 'node -e 0' ? '' : (m - node).toFixed(1)} |`)
}
