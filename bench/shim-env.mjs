// How the bench scripts call runtimes: as a container manager's shim does.
// - underSubreaper(): re-runs the calling script (once) as the child of bench/subreaper.c,
//   built here with cc: a child subreaper that reaps each container's init the moment it
//   dies, as containerd's shim and conmon do. Under this VM's pid 1 a dead init waits
//   about a second to be reaped, and a v1 cgroup cannot be removed until then, so every
//   runtime's delete would measure pid 1. Returns only in the child.
// - runtimeEnv(): this process's environment without NODE_EXTRA_CA_CERTS and NODE_OPTIONS
//   (unless keep): this machine sets the former, which costs every node start ~70 ms of
//   loading CA certificates, and no container manager's service environment has it.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')
const MARK = 'RUNT_BENCH_SUBREAPER'

export function underSubreaper() {
  if (process.env[MARK] === '1') return
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-bench-reaper-'))
  const reaper = path.join(dir, 'subreaper')
  const cc = spawnSync('cc', ['-O2', '-Wall', '-o', reaper, path.join(repo, 'bench', 'subreaper.c')], { stdio: 'inherit' })
  if (cc.status !== 0) throw new Error('cannot build bench/subreaper.c (is cc installed?)')
  const r = spawnSync(reaper, [process.execPath, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, [MARK]: '1' } })
  fs.rmSync(dir, { recursive: true, force: true })
  process.exit(r.status ?? 1)
}

export function runtimeEnv(keep = false) {
  const env = { ...process.env }
  delete env[MARK]
  if (!keep) {
    delete env.NODE_EXTRA_CA_CERTS
    delete env.NODE_OPTIONS
  }
  return env
}
