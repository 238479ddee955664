// The state directory: <root>/<id>/ per container, holding the private record
// (state.json), the exec fifo between create and start, and a lock file.
//
// Locking. Every command that acts on a container holds an exclusive flock on
// <root>/<id>/lock for as long as it works on it, so start/kill/delete/state of one
// container serialize. A container directory is born complete: `create` builds it
// under a temporary name with its lock already taken and renames it into place, so
// no other command can ever see <root>/<id> unlocked before its creator holds it.
// rename(2) of a directory fails when the target is a non-empty directory, and ours
// always hold their lock file: of two concurrent creates exactly one wins.
// Removal renames the directory away first (still locked), then deletes it, so
// <root>/<id> vanishes in one step and waiters notice it is gone.
//
// A directory without state.json whose lock nobody holds is what a killed `create`
// leaves behind; open() returns it (read() gives null) so `delete --force` can remove
// it, and the commands report it as "stopped". A ~creating- or ~removing- directory
// whose lock nobody holds is what a create or delete killed between its mkdir/rename
// and the end leaves behind: sweepAbandoned() (run by list and delete --force) removes it.
//
// <root>/<id> is used only when it is a real directory: a symlink there (planted in a
// shared --root) is never followed out of the root.
// (libuv opens every file O_CLOEXEC: the lock descriptor never leaks into a container.)

import fs from 'node:fs'
import path from 'node:path'
import { ContainerIdError, SystemError, systemError } from '../errors'
import type { Spec } from '../spec/types'
import { native } from '../sys/native'
import { validateId } from './ids'
import { writeFileAtomic } from './atomic'
import { stopPoint } from '../debug/stop-point'
import { removeTree } from '../sys/files'

/** What runt remembers about a container between commands (private, not a contract). */
export interface ContainerRecord {
  id: string
  ociVersion: string
  /** absolute bundle path */
  bundle: string
  /** absolute rootfs path */
  rootfs: string
  /** creation time, Go's RFC3339Nano in UTC */
  created: string
  initPid: number
  /** field 22 of /proc/<initPid>/stat, to tell the init from a process that reuses its pid */
  initStartTime: string
  annotations: Record<string, string>
  /** uid that created the container */
  owner: number
  /** controller (or "" for the unified hierarchy) -> cgroup directory */
  cgroupPaths: Record<string, string>
  /** cgroup directories runt created itself (so delete removes only those) */
  cgroupDirsCreated?: string[]
  /** namespace type -> path to join it (for exec) */
  namespacePaths: Record<string, string>
  /** true when the container has no pid namespace of its own */
  sharedPidNs: boolean
  /** the full config.json, for hooks and delete */
  config: Spec
  rootless: boolean
}

export interface ContainerHandle {
  readonly id: string
  /** <root>/<id> */
  readonly dir: string
  /** the record, or null while none is written (a create in progress, or one killed mid-way) */
  read(): ContainerRecord | null
  /** replace the record atomically */
  write(rec: ContainerRecord): void
  /** delete the whole directory (fifo, record, everything) and release the lock */
  remove(): void
  /** unlock and close; the directory stays */
  release(): void
}

/**
 * 12 random hex digits for a staging directory's name, from the kernel's pool: node:crypto
 * would cost every create and delete milliseconds of loading (it drags in the streams).
 */
function randomHex(): string {
  const bytes = Buffer.alloc(6)
  const fd = fs.openSync('/dev/urandom', 'r')
  try {
    fs.readSync(fd, bytes)
  } finally {
    fs.closeSync(fd)
  }
  return bytes.toString('hex')
}

const RECORD = 'state.json'
const LOCK = 'lock'
// '~' is not allowed in ids, so these names never collide with a container
const CREATING_PREFIX = '~creating-'
const REMOVING_PREFIX = '~removing-'
/** mkdir of a staging directory and the creation of its lock file are two steps */
const STAGING_GRACE_MS = 10_000

export class StateStore {
  readonly root: string

  constructor(root: string) {
    this.root = path.resolve(root)
  }

  dirOf(id: string): string {
    return path.join(this.root, id)
  }

  /** Create <root>/<id> exclusively and lock it; `container with given ID already exists` when taken. */
  createContainerDir(id: string): ContainerHandle {
    validateId(id)
    this.ensureRoot()
    const dir = this.dirOf(id)
    if (fs.existsSync(dir)) throw alreadyExists(id)

    const staging = path.join(this.root, CREATING_PREFIX + randomHex())
    let lockFd: number | undefined
    try {
      fs.mkdirSync(staging, { mode: 0o700 })
      lockFd = fs.openSync(path.join(staging, LOCK), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600)
      native().flock(lockFd, true, false) // a fresh file nobody else can know yet
      stopPoint('create:staging')
      fs.renameSync(staging, dir)
    } catch (err) {
      if (lockFd !== undefined) fs.closeSync(lockFd)
      removeTree(staging)
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR') throw alreadyExists(id)
      throw systemError(`create state directory for container ${id}`, err, { id })
    }
    return new LockedContainer(id, dir, this.root, lockFd)
  }

  /** Open an existing container and take its lock (waiting for it); `container does not exist` otherwise. */
  open(id: string): ContainerHandle {
    validateId(id)
    const dir = this.dirOf(id)
    const lockPath = path.join(dir, LOCK)
    requireRealDir(id, dir)
    for (;;) {
      let fd: number
      try {
        // O_CREAT: a directory made by hand (or an older layout) still gets a lock
        fd = fs.openSync(lockPath, fs.constants.O_RDONLY | fs.constants.O_CREAT | fs.constants.O_NOFOLLOW, 0o600)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT' || code === 'ENOTDIR') throw doesNotExist(id)
        throw systemError(`open state directory of container ${id}`, err, { id, path: lockPath })
      }
      try {
        native().flock(fd, true, true)
      } catch (err) {
        fs.closeSync(fd)
        throw systemError(`lock container ${id}`, err, { id, path: lockPath })
      }
      // while we waited, the holder may have removed the container (and someone may
      // have created a new one under the same id): the lock counts only if the file
      // we hold is still the one at lockPath
      if (sameFile(fd, lockPath)) return new LockedContainer(id, dir, this.root, fd)
      fs.closeSync(fd)
      if (!fs.existsSync(lockPath)) throw doesNotExist(id)
    }
  }

  /**
   * Remove the ~creating-/~removing- directories of creates and deletes that were killed
   * (their lock is free); returns their names. Best effort: what cannot go now stays.
   */
  sweepAbandoned(now = Date.now()): string[] {
    const swept: string[] = []
    let names: string[]
    try {
      names = fs.readdirSync(this.root)
    } catch {
      return swept
    }
    for (const name of names) {
      if (!name.startsWith(CREATING_PREFIX) && !name.startsWith(REMOVING_PREFIX)) continue
      const dir = path.join(this.root, name)
      try {
        if (!isAbandoned(dir, now)) continue
        removeTree(dir)
        swept.push(name)
      } catch { /* raced with its owner or another sweeper: leave it */ }
    }
    return swept
  }

  /** Ids of the containers under the root, sorted; [] when the root does not exist. */
  ids(): string[] {
    let entries: fs.Dirent[]
    try {
      entries = fs.readdirSync(this.root, { withFileTypes: true })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw systemError('read state root', err, { path: this.root })
    }
    return entries
      .filter(e => e.isDirectory() && isValidId(e.name))
      .map(e => e.name)
      .sort()
  }

  private ensureRoot(): void {
    try {
      fs.mkdirSync(this.root, { recursive: true, mode: 0o700 })
    } catch (err) {
      throw systemError('create state root', err, { path: this.root })
    }
  }
}

class LockedContainer implements ContainerHandle {
  private lockFd: number | null

  constructor(readonly id: string, readonly dir: string, private readonly root: string, lockFd: number) {
    this.lockFd = lockFd
  }

  read(): ContainerRecord | null {
    const file = path.join(this.dir, RECORD)
    let text: string
    try {
      // never through a symlink: the record is ours, a link to elsewhere is planted
      const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
      try {
        text = fs.readFileSync(fd, 'utf8')
      } finally {
        fs.closeSync(fd)
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw systemError(`read state of container ${this.id}`, err, { id: this.id, path: file })
    }
    const checked = parseRecord(text, this.id)
    if (typeof checked === 'string') {
      throw new SystemError(`state of container ${this.id} is corrupt (${checked}): remove ${this.dir} by hand once its processes are gone`, { id: this.id, path: file })
    }
    return checked
  }

  write(rec: ContainerRecord): void {
    this.assertHeld()
    writeFileAtomic(path.join(this.dir, RECORD), JSON.stringify(rec), { mode: 0o600 })
  }

  remove(): void {
    this.assertHeld()
    const doomed = path.join(this.root, REMOVING_PREFIX + randomHex())
    try {
      fs.renameSync(this.dir, doomed)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw systemError(`remove state directory of container ${this.id}`, err, { id: this.id, path: this.dir })
      }
    }
    stopPoint('delete:renamed')
    try {
      removeTree(doomed)
    } catch (err) {
      throw systemError(`remove state directory of container ${this.id}`, err, { id: this.id, path: doomed })
    } finally {
      this.release()
    }
  }

  release(): void {
    if (this.lockFd === null) return
    const fd = this.lockFd
    this.lockFd = null
    fs.closeSync(fd) // closing the only descriptor drops the flock
  }

  private assertHeld(): void {
    if (this.lockFd === null) throw new Error(`container ${this.id}: state used after its lock was released`)
  }
}

/** A staging or doomed directory nobody works on: its lock is free (a staging directory
 * without a lock yet is abandoned once it is older than STAGING_GRACE_MS). */
function isAbandoned(dir: string, now: number): boolean {
  const st = fs.lstatSync(dir)
  if (!st.isDirectory()) return true
  let fd: number
  try {
    fd = fs.openSync(path.join(dir, LOCK), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    return now - st.mtimeMs > STAGING_GRACE_MS
  }
  try {
    return native().flock(fd, true, false)
  } finally {
    fs.closeSync(fd)
  }
}

/** <root>/<id> must be a directory of its own, not a symlink to one elsewhere. */
function requireRealDir(id: string, dir: string): void {
  // the usual case in one open, which fails on a symlink or a file (the first lstat of a
  // call costs it about 0.3 ms); lstat then says which it is
  try {
    fs.closeSync(fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW))
    return
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw doesNotExist(id)
    if (code !== 'ENOTDIR' && code !== 'ELOOP') throw systemError(`open state directory of container ${id}`, err, { id, path: dir })
  }
  let st: fs.Stats
  try {
    st = fs.lstatSync(dir)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') throw doesNotExist(id)
    throw systemError(`open state directory of container ${id}`, err, { id, path: dir })
  }
  if (!st.isDirectory()) {
    throw new ContainerIdError(`state directory of container ${id} is not a directory (${st.isSymbolicLink() ? 'a symlink' : 'a file'}): refusing to use it`, { id, path: dir })
  }
}

/** What makes text unusable as the record of container id (never quoting it), or null. */
/** The record in text, or what is wrong with it (parsed once: the record carries the whole config). */
export function parseRecord(text: string, id: string): ContainerRecord | string {
  let rec: unknown
  try {
    rec = JSON.parse(text)
  } catch {
    return text.length === 0 ? 'state.json is empty' : 'state.json is not valid JSON'
  }
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return 'state.json is not an object'
  const r = rec as Record<string, unknown>
  const isStringMap = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every(x => typeof x === 'string')
  const checks: [string, boolean][] = [
    ['id', r.id === id],
    ['bundle', typeof r.bundle === 'string'],
    ['rootfs', typeof r.rootfs === 'string'],
    ['created', typeof r.created === 'string'],
    ['initPid', Number.isSafeInteger(r.initPid) && (r.initPid as number) >= 0],
    ['initStartTime', typeof r.initStartTime === 'string'],
    ['annotations', isStringMap(r.annotations)],
    ['owner', Number.isSafeInteger(r.owner)],
    ['cgroupPaths', isStringMap(r.cgroupPaths)],
    ['cgroupDirsCreated', r.cgroupDirsCreated === undefined || (Array.isArray(r.cgroupDirsCreated) && r.cgroupDirsCreated.every(d => typeof d === 'string'))],
    ['namespacePaths', isStringMap(r.namespacePaths)],
    ['sharedPidNs', typeof r.sharedPidNs === 'boolean'],
    ['config', typeof r.config === 'object' && r.config !== null && !Array.isArray(r.config)],
  ]
  const bad = checks.find(([, ok]) => !ok)
  return bad ? `field ${bad[0]} is missing or wrong` : (rec as ContainerRecord)
}

function sameFile(fd: number, file: string): boolean {
  try {
    const held = fs.fstatSync(fd)
    const now = fs.statSync(file)
    return held.ino === now.ino && held.dev === now.dev
  } catch {
    return false
  }
}

function isValidId(name: string): boolean {
  try {
    validateId(name)
    return true
  } catch {
    return false
  }
}

function alreadyExists(id: string): ContainerIdError {
  return new ContainerIdError('container with given ID already exists', { id })
}

function doesNotExist(id: string): ContainerIdError {
  return new ContainerIdError('container does not exist', { id })
}
