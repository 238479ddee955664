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
// it, and the commands report it as "stopped".
// (libuv opens every file O_CLOEXEC: the lock descriptor never leaks into a container.)

import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { ContainerIdError, systemError } from '../errors'
import type { Spec } from '../spec/types'
import { native } from '../sys/native'
import { validateId } from './ids'
import { writeFileAtomic } from './atomic'

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

const RECORD = 'state.json'
const LOCK = 'lock'
// '~' is not allowed in ids, so these names never collide with a container
const CREATING_PREFIX = '~creating-'
const REMOVING_PREFIX = '~removing-'

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

    const staging = path.join(this.root, CREATING_PREFIX + randomBytes(6).toString('hex'))
    let lockFd: number | undefined
    try {
      fs.mkdirSync(staging, { mode: 0o700 })
      lockFd = fs.openSync(path.join(staging, LOCK), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600)
      native().flock(lockFd, true, false) // a fresh file nobody else can know yet
      fs.renameSync(staging, dir)
    } catch (err) {
      if (lockFd !== undefined) fs.closeSync(lockFd)
      fs.rmSync(staging, { recursive: true, force: true })
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
    for (;;) {
      let fd: number
      try {
        // O_CREAT: a directory made by hand (or an older layout) still gets a lock
        fd = fs.openSync(lockPath, fs.constants.O_RDONLY | fs.constants.O_CREAT, 0o600)
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
      text = fs.readFileSync(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw systemError(`read state of container ${this.id}`, err, { id: this.id, path: file })
    }
    try {
      return JSON.parse(text) as ContainerRecord
    } catch (err) {
      throw systemError(`parse state of container ${this.id}`, err, { id: this.id, path: file })
    }
  }

  write(rec: ContainerRecord): void {
    this.assertHeld()
    writeFileAtomic(path.join(this.dir, RECORD), JSON.stringify(rec), { mode: 0o600 })
  }

  remove(): void {
    this.assertHeld()
    const doomed = path.join(this.root, REMOVING_PREFIX + randomBytes(6).toString('hex'))
    try {
      fs.renameSync(this.dir, doomed)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw systemError(`remove state directory of container ${this.id}`, err, { id: this.id, path: this.dir })
      }
    }
    try {
      fs.rmSync(doomed, { recursive: true, force: true })
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
