// Every system call the cgroup code makes goes through this one small interface:
// plain fs calls today (the design moves the writes into the addon later) and the
// addon's device filter loader, a fake kernel in the unit tests.

import fs from 'node:fs'
import path from 'node:path'
import { systemError } from '../errors'
import { native } from '../sys/native'
import { hostHugePageSizes } from './hugetlb'

export interface CgroupHost {
  /** mkdir(2); true when this call made the directory, false when it existed already */
  mkdir(dir: string): boolean
  /** rmdir(2); throws the errno error (EBUSY while processes or child groups remain) */
  rmdir(dir: string): void
  /** a cgroup file's text, or undefined when the file does not exist */
  read(file: string): string | undefined
  /** whether a file exists (cgroup.kill is write-only: reading it fails with EINVAL) */
  exists(file: string): boolean
  /** write one value to an existing cgroup file (never creates it) */
  write(file: string, value: string): void
  /** names of the child directories (child cgroups) */
  subdirs(dir: string): string[]
  /** kill(2); a process that is already gone is not an error */
  kill(pid: number, signal: number): void
  /** block the (single-threaded) caller for ms milliseconds */
  sleep(ms: number): void
  /** the huge page sizes the kernel offers, as cgroup files name them ("2MB", "1GB") */
  hugePageSizes(): string[]
  /** load a v2 device filter (struct bpf_insn bytes) and attach it to dir, replacing the one runt attached before */
  attachDeviceFilter(dir: string, program: Buffer): void
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))

export const hostCgroups: CgroupHost = {
  mkdir(dir) {
    try {
      fs.mkdirSync(dir, 0o755)
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false
      throw systemError(`creating cgroup ${dir}`, err, { path: dir })
    }
  },
  rmdir(dir) {
    fs.rmdirSync(dir)
  },
  read(file) {
    try {
      return fs.readFileSync(file, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw systemError(`reading ${file}`, err, { path: file })
    }
  },
  exists(file) {
    return fs.existsSync(file)
  },
  write(file, value) {
    // O_WRONLY without O_CREAT: cgroupfs files cannot be created, and some are write-only
    let fd: number | undefined
    try {
      fd = fs.openSync(file, fs.constants.O_WRONLY)
      fs.writeSync(fd, value)
    } catch (err) {
      throw systemError(`writing ${JSON.stringify(value)} to ${file}`, err, { path: file })
    } finally {
      if (fd !== undefined) fs.closeSync(fd)
    }
  },
  subdirs(dir) {
    try {
      return fs.readdirSync(dir, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw systemError(`listing cgroup ${dir}`, err, { path: dir })
    }
  },
  kill(pid, signal) {
    try {
      process.kill(pid, signal)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw systemError(`kill(${pid}, ${signal})`, err)
    }
  },
  sleep(ms) {
    Atomics.wait(sleeper, 0, 0, ms)
  },
  hugePageSizes: hostHugePageSizes,
  attachDeviceFilter(dir, program) {
    native().attachDeviceFilter(dir, program)
  },
}

/** Words of a space/newline separated cgroup file ("cpu memory pids"), [] when absent. */
export function readWords(host: CgroupHost, file: string): string[] {
  return (host.read(file) ?? '').split(/\s+/).filter(Boolean)
}

/** Pids listed in cgroup.procs of dir and of every group below it, sorted and unique. */
export function pidsBelow(host: CgroupHost, dir: string): number[] {
  const pids = new Set<number>()
  const visit = (d: string): void => {
    for (const w of readWords(host, path.join(d, 'cgroup.procs'))) pids.add(Number(w))
    for (const child of host.subdirs(d)) visit(path.join(d, child))
  }
  visit(dir)
  return [...pids].sort((a, b) => a - b)
}
