// Freezing a container's group: for pause/resume, and so that signalling every pid in
// it is not a race against processes that fork meanwhile. v1: the freezer controller's
// freezer.state; v2: the core file cgroup.freeze (kernel 5.2+).

import path from 'node:path'
import { detectLayout, type CgroupLayout } from './detect'
import type { CgroupHost } from './host'

export interface Freezer {
  isFrozen(): boolean
  /** freeze and wait (bounded) until the kernel reports the group frozen; false if it never did */
  freeze(): boolean
  thaw(): void
}

// A group whose tasks sit in uninterruptible sleep may stay "FREEZING" for long; after
// this many polls the caller goes on (killAll) or fails (pause) rather than hang.
const POLLS = 100
// v1: writing FROZEN again makes the kernel retry tasks it could not freeze the first time
const REWRITE_EVERY = 10

function waitFor(host: CgroupHost, done: () => boolean, retry: () => void = () => {}): boolean {
  for (let i = 0; i < POLLS; i++) {
    if (done()) return true
    if (i > 0 && i % REWRITE_EVERY === 0) retry()
    host.sleep(Math.min(1 + i, 10))
  }
  return done()
}

export function v1Freezer(host: CgroupHost, dir: string): Freezer {
  const stateFile = path.join(dir, 'freezer.state')
  const state = (): string => (host.read(stateFile) ?? '').trim()
  const freeze = () => host.write(stateFile, 'FROZEN')
  return {
    isFrozen: () => state() === 'FROZEN',
    freeze() {
      freeze()
      return waitFor(host, () => state() === 'FROZEN', freeze)
    },
    thaw: () => host.write(stateFile, 'THAWED'),
  }
}

/** undefined when the group has no cgroup.freeze (the root group, or a kernel before 5.2) */
export function v2Freezer(host: CgroupHost, dir: string): Freezer | undefined {
  const freezeFile = path.join(dir, 'cgroup.freeze')
  if (host.read(freezeFile) === undefined) return undefined
  const eventsSay = (line: string) => (host.read(path.join(dir, 'cgroup.events')) ?? '').split('\n').includes(line)
  return {
    isFrozen: () => (host.read(freezeFile) ?? '').trim() === '1',
    freeze() {
      host.write(freezeFile, '1')
      return waitFor(host, () => eventsSay('frozen 1'))
    },
    thaw: () => host.write(freezeFile, '0'),
  }
}

/**
 * The freezer of a container's groups, as runc and v1 tools read it: the v1 freezer
 * hierarchy's group where there is one, else cgroup2's cgroup.freeze.
 */
export function groupFreezer(host: CgroupHost, v1FreezerDir: string | undefined, cgroup2Dir: string | undefined): Freezer | undefined {
  if (v1FreezerDir !== undefined) return v1Freezer(host, v1FreezerDir)
  return cgroup2Dir === undefined ? undefined : v2Freezer(host, cgroup2Dir)
}

/**
 * Whether a container's group is frozen, read from its recorded directories (hierarchy
 * key to directory, as state.json keeps them) with groupFreezer's choice. A v1
 * hierarchy's key is its mount directory's name, "freezer" where it is mounted as usual;
 * only when no key names the freezer and v1 groups are recorded is the host's layout
 * read to find it.
 */
export function frozenByRecord(paths: Record<string, string>, host: CgroupHost, layout: () => CgroupLayout = detectLayout): boolean {
  const keys = Object.keys(paths)
  let v1 = keys.find(k => k !== 'unified' && k.split(',').includes('freezer'))
  if (v1 === undefined && keys.some(k => k !== 'unified')) v1 = layout().hierarchies.find(h => h.version === 1 && h.controllers.includes('freezer'))?.key
  return groupFreezer(host, v1 === undefined ? undefined : paths[v1], paths.unified)?.isFrozen() ?? false
}
