// Which cgroup hierarchies this host has, and where the runtime itself sits in each.
// The parsing is pure (tested on captured /proc text); detectLayout() reads the files
// once per process.

import fs from 'node:fs'
import path from 'node:path'
import { SystemError, systemError } from '../errors'
import { callerGeneration, callerProcFile } from '../sys/caller'

/** unified: cgroup2 only; legacy: v1 only; hybrid: v1 controllers plus a cgroup2 mount elsewhere */
export type CgroupMode = 'unified' | 'legacy' | 'hybrid'

export interface Hierarchy {
  version: 1 | 2
  /** stable name of the hierarchy: v1 the mount directory's name ("memory", "cpu,cpuacct", "systemd"), v2 "unified" */
  key: string
  mountpoint: string
  /** v1: the hierarchy's controllers ("cpu", "cpuacct", "name=systemd"); v2: cgroup.controllers of the mount's root */
  controllers: string[]
  /** the runtime's own cgroup in this hierarchy, relative to the mount point ("/" or "/a/b") */
  ownCgroup: string
}

export interface CgroupLayout {
  mode: CgroupMode
  hierarchies: Hierarchy[]
}

export interface MountEntry {
  /** the directory of the mounted filesystem that is mounted here (mountinfo field 4) */
  root: string
  mountpoint: string
  fstype: string
  superOptions: string[]
}

/** One line of /proc/<pid>/cgroup. */
export interface ProcCgroupEntry {
  hierarchyId: number
  /** empty for the cgroup2 line ("0::/path") */
  controllers: string[]
  path: string
}

const CGROUP_ROOT = '/sys/fs/cgroup'

// mountinfo escapes space, tab, newline and backslash as octal (\040 ...)
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)))
}

/** The cgroup and cgroup2 mounts of a /proc/self/mountinfo text. */
export function parseCgroupMounts(mountinfo: string): MountEntry[] {
  const mounts: MountEntry[] = []
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ')
    const dash = fields.indexOf('-', 6)
    if (dash < 0 || fields.length < dash + 4) continue
    const fstype = fields[dash + 1]
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue
    mounts.push({
      root: unescapeMountField(fields[3]),
      mountpoint: unescapeMountField(fields[4]),
      fstype,
      superOptions: fields[dash + 3].split(','),
    })
  }
  return mounts
}

/** The lines of a /proc/<pid>/cgroup text. */
export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const entries: ProcCgroupEntry[] = []
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line)
    if (!m) continue
    entries.push({ hierarchyId: Number(m[1]), controllers: m[2] === '' ? [] : m[2].split(','), path: m[3] })
  }
  return entries
}

/** The runtime's cgroup relative to a mount whose root is `mountRoot` (differs from "/" in nested containers). */
export function cgroupWithinMount(own: string, mountRoot: string): string {
  if (mountRoot === '/' || mountRoot === '') return own
  if (own === mountRoot) return '/'
  if (own.startsWith(mountRoot + '/')) return own.slice(mountRoot.length)
  return own // a cgroup namespace or an unrelated bind mount: the best guess is the path as given
}

// Several mounts of one hierarchy (bind mounts): the one under /sys/fs/cgroup wins.
function preferredMount(candidates: MountEntry[]): MountEntry | undefined {
  return candidates.find(m => m.mountpoint === CGROUP_ROOT)
    ?? candidates.find(m => path.dirname(m.mountpoint) === CGROUP_ROOT)
    ?? candidates[0]
}

function v1Hierarchies(mounts: MountEntry[], own: ProcCgroupEntry[]): Hierarchy[] {
  const v1Mounts = mounts.filter(m => m.fstype === 'cgroup')
  const found: Hierarchy[] = []
  for (const entry of own) {
    if (entry.controllers.length === 0) continue
    const mount = preferredMount(v1Mounts.filter(m => entry.controllers.every(c => m.superOptions.includes(c))))
    if (!mount) continue // the hierarchy exists but is not mounted here: nothing to manage
    found.push({
      version: 1,
      key: path.basename(mount.mountpoint),
      mountpoint: mount.mountpoint,
      controllers: entry.controllers,
      ownCgroup: cgroupWithinMount(entry.path, mount.root),
    })
  }
  // plain code-unit order: localeCompare would load ICU collation (milliseconds per call)
  return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
}

/**
 * Classify the host from its cgroup mounts and the runtime's /proc/self/cgroup.
 * `v2Controllers` gives the text of cgroup.controllers at a cgroup2 mount point.
 */
export function buildLayout(mounts: MountEntry[], own: ProcCgroupEntry[], v2Controllers: (mountpoint: string) => string): CgroupLayout {
  const v2Mount = preferredMount(mounts.filter(m => m.fstype === 'cgroup2'))
  const v2Own = own.find(e => e.hierarchyId === 0 && e.controllers.length === 0)
  const v2: Hierarchy | undefined = v2Mount && {
    version: 2,
    key: 'unified',
    mountpoint: v2Mount.mountpoint,
    controllers: v2Controllers(v2Mount.mountpoint).split(/\s+/).filter(Boolean),
    ownCgroup: cgroupWithinMount(v2Own?.path ?? '/', v2Mount.root),
  }
  const v1 = v2?.mountpoint === CGROUP_ROOT ? [] : v1Hierarchies(mounts, own)
  if (v1.length > 0) return v2 ? { mode: 'hybrid', hierarchies: [...v1, v2] } : { mode: 'legacy', hierarchies: v1 }
  if (v2) return { mode: 'unified', hierarchies: [v2] }
  throw new SystemError('no cgroup filesystem is mounted (checked /proc/self/mountinfo)', { path: '/proc/self/mountinfo' })
}

function readProcFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch (err) {
    throw systemError(`reading ${file}`, err, { path: file })
  }
}

let cached: { layout: CgroupLayout; generation: number } | undefined

/** This host's cgroup layout as the caller sees it, read once per command. */
export function detectLayout(): CgroupLayout {
  if (cached?.generation !== callerGeneration()) {
    const layout = buildLayout(
      parseCgroupMounts(readProcFile('/proc/self/mountinfo')),
      parseProcCgroup(readProcFile(callerProcFile('cgroup'))),
      mountpoint => readProcFile(path.join(mountpoint, 'cgroup.controllers')),
    )
    cached = { layout, generation: callerGeneration() }
  }
  return cached.layout
}
