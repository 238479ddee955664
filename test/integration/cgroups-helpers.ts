// Helpers for the cgroup command tests: where a container's cgroup files are (from its
// record), bundles that run on v1 and v2 hosts, a shared host directory, bounded waits.

import fs from 'node:fs'
import path from 'node:path'
import { detectLayout } from '../../src/cgroups/detect'
import { SLOW, shBundle, tempDir, uniqueId, type Runt } from './helpers'

export const layout = detectLayout()
export const unified = layout.mode === 'unified'

/** The container's group for a controller, from the record runt keeps in the state root. */
export function cgroupDir(root: string, id: string, controller: string): string {
  const rec = JSON.parse(fs.readFileSync(path.join(root, id, 'state.json'), 'utf8'))
  const paths: Record<string, string> = rec.cgroupPaths
  if (unified) return paths.unified
  const key = Object.keys(paths).find(k => k.split(',').includes(controller))
  if (key === undefined) throw new Error(`no ${controller} hierarchy in ${JSON.stringify(paths)}`)
  return paths[key]
}

/** One cgroup file of the container, trimmed; names differ on v1 and v2. */
export function cgroupValue(root: string, id: string, controller: string, v1File: string, v2File: string): string {
  return fs.readFileSync(path.join(cgroupDir(root, id, controller), unified ? v2File : v1File), 'utf8').trim()
}

/** A host directory mounted read-write at /mnt in the container, for files both sides read. */
export function sharedDir(spec: any): string {
  const dir = tempDir('runt-shared-')
  spec.mounts.push({ destination: '/mnt', type: 'bind', source: dir, options: ['rbind', 'rw'] })
  return dir
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))
export const sleepMs = (ms: number) => Atomics.wait(sleeper, 0, 0, ms)

/** Poll until done() (at most ~20 s, times SLOW); the caller asserts on the outcome, never on the time. */
export function waitUntil(done: () => boolean, polls = 200): boolean {
  for (let i = 0; i < polls * SLOW; i++) {
    if (done()) return true
    sleepMs(100)
  }
  return done()
}

export const readOr = (file: string, fallback = ''): string => {
  try {
    return fs.readFileSync(file, 'utf8').trim()
  } catch {
    return fallback
  }
}

/**
 * A detached container running `script`, its config changed by `edit`, with a shared
 * host directory at /mnt (returned as dir); deleted with everything at teardown.
 */
export function startDetached(
  runt: Runt, t: { teardown(fn: () => void): void }, prefix: string, script: string, edit: (spec: any) => void,
): { id: string; dir: string } {
  const id = uniqueId(prefix)
  let dir = ''
  const bundle = shBundle(script, spec => {
    dir = sharedDir(spec)
    edit(spec)
  })
  t.teardown(() => {
    runt(['delete', '--force', id])
    fs.rmSync(bundle, { recursive: true, force: true })
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const r = runt(['run', '-d', '-b', bundle, id])
  if (r.status !== 0) throw new Error(`run failed: ${r.stderr}`)
  return { id, dir }
}
