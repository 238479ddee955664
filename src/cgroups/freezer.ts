// Freezing a container's group, so that signalling every pid in it is not a race
// against processes that fork meanwhile. v1: the freezer controller's freezer.state;
// v2 (and the cgroup2 group of a hybrid host): the core file cgroup.freeze.

import path from 'node:path'
import type { CgroupHost } from './host'

export interface Freezer {
  isFrozen(): boolean
  /** freeze and wait (bounded) until the kernel reports the group frozen */
  freeze(): void
  thaw(): void
}

// A group whose tasks sit in uninterruptible sleep may stay "FREEZING" for long; after
// this many polls the caller goes on unfrozen rather than hang.
const POLLS = 50

function waitFor(host: CgroupHost, done: () => boolean): void {
  for (let i = 0; i < POLLS && !done(); i++) host.sleep(Math.min(1 + i, 10))
}

export function v1Freezer(host: CgroupHost, dir: string): Freezer {
  const stateFile = path.join(dir, 'freezer.state')
  const state = (): string => (host.read(stateFile) ?? '').trim()
  return {
    isFrozen: () => state() === 'FROZEN',
    freeze() {
      host.write(stateFile, 'FROZEN')
      waitFor(host, () => state() === 'FROZEN')
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
      waitFor(host, () => eventsSay('frozen 1'))
    },
    thaw: () => host.write(freezeFile, '0'),
  }
}
