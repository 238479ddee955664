// A fake cgroup kernel for unit tests: real directories in a temporary tree, with the
// few kernel behaviours the manager relies on (files that appear in a new group,
// controllers handed down, rmdir refused while busy, cgroup.kill, freezing), and a
// log of every write and signal instead of touching real processes.

import fs from 'node:fs'
import path from 'node:path'
import type { CgroupHost } from './host'

function errnoError(code: string, file: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${file}`), { code, path: file })
}

const words = (text: string) => text.split(/\s+/).filter(Boolean)

// interface files a v2 group gets for each enabled controller (the ones the tests touch)
const V2_FILES: Record<string, string[]> = {
  cpu: ['cpu.weight', 'cpu.max'],
  cpuset: ['cpuset.cpus', 'cpuset.mems'],
  memory: ['memory.max', 'memory.low', 'memory.swap.max', 'memory.current'],
  pids: ['pids.max'],
  io: ['io.max', 'io.weight'],
  hugetlb: ['hugetlb.2MB.max', 'hugetlb.2MB.rsvd.max', 'hugetlb.1GB.max', 'hugetlb.1GB.rsvd.max'],
  rdma: ['rdma.max'],
}

export class FakeCgroupKernel implements CgroupHost {
  readonly writes: { file: string; value: string }[] = []
  readonly signals: { pid: number; signal: number }[] = []
  sleeps = 0
  /** pids that ignore SIGKILL until this many more attempts (to test the bounded retry) */
  stubborn = new Map<number, number>()
  /** controllers the kernel refuses to enable anywhere (EINVAL), e.g. to mimic a threaded subtree */
  refused = new Set<string>()
  /** what hugePageSizes() reports */
  pageSizes = ['2MB', '1GB']

  /** root: the temporary directory holding every fake hierarchy */
  constructor(private readonly root: string) {}

  private put(file: string, text: string): void {
    fs.writeFileSync(file, text)
  }

  mkdir(dir: string): boolean {
    if (fs.existsSync(dir)) return false
    fs.mkdirSync(dir)
    const parent = path.dirname(dir)
    const control = path.join(parent, 'cgroup.subtree_control')
    if (fs.existsSync(control)) {
      // v2: the core files, plus the files of each controller the parent hands down
      this.put(path.join(dir, 'cgroup.procs'), '')
      this.put(path.join(dir, 'cgroup.controllers'), '') // read() answers from the parent, as the kernel does
      this.put(path.join(dir, 'cgroup.subtree_control'), '')
      this.put(path.join(dir, 'cgroup.freeze'), '0\n')
      this.put(path.join(dir, 'cgroup.events'), 'populated 0\nfrozen 0\n')
      this.put(path.join(dir, 'cgroup.kill'), '')
      this.addControllerFiles(dir, words(fs.readFileSync(control, 'utf8')))
    } else {
      // v1: the parent's files; no member processes, and an empty cpuset as the kernel makes it
      for (const e of fs.readdirSync(parent, { withFileTypes: true })) {
        if (!e.isFile()) continue
        const empty = ['cgroup.procs', 'cpuset.cpus', 'cpuset.mems'].includes(e.name)
        this.put(path.join(dir, e.name), empty ? '' : fs.readFileSync(path.join(parent, e.name), 'utf8'))
      }
    }
    return true
  }

  rmdir(dir: string): void {
    if (!fs.existsSync(dir)) throw errnoError('ENOENT', dir)
    if (this.subdirs(dir).length > 0 || words(this.read(path.join(dir, 'cgroup.procs')) ?? '').length > 0) throw errnoError('EBUSY', dir)
    fs.rmSync(dir, { recursive: true })
  }

  read(file: string): string | undefined {
    if (!fs.existsSync(file)) return undefined
    const parentControl = path.join(path.dirname(path.dirname(file)), 'cgroup.subtree_control')
    if (path.basename(file) === 'cgroup.controllers' && fs.existsSync(parentControl)) return fs.readFileSync(parentControl, 'utf8')
    return fs.readFileSync(file, 'utf8')
  }

  exists(file: string): boolean {
    return fs.existsSync(file)
  }

  subdirs(dir: string): string[] {
    if (!fs.existsSync(dir)) return []
    return fs.readdirSync(dir, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name)
  }

  write(file: string, value: string): void {
    if (!fs.existsSync(file)) throw errnoError('ENOENT', file)
    const dir = path.dirname(file)
    switch (path.basename(file)) {
      case 'cgroup.procs':
        this.put(file, `${this.read(file)}${value}\n`)
        break
      case 'cgroup.subtree_control':
        this.writeSubtreeControl(file, value)
        break
      case 'cgroup.kill':
        for (const pid of this.procsBelow(dir)) this.kill(pid, 9)
        break
      case 'cgroup.freeze':
        this.put(file, `${value}\n`)
        this.put(path.join(dir, 'cgroup.events'), `populated 1\nfrozen ${value}\n`)
        break
      default:
        this.put(file, `${value}\n`)
    }
    this.writes.push({ file, value })
  }

  private writeSubtreeControl(file: string, value: string): void {
    const dir = path.dirname(file)
    const offered = words(this.read(path.join(dir, 'cgroup.controllers')) ?? '')
    const isRoot = !fs.existsSync(path.join(path.dirname(dir), 'cgroup.subtree_control'))
    if (!isRoot && words(this.read(path.join(dir, 'cgroup.procs')) ?? '').length > 0) throw errnoError('EBUSY', file)
    const enabled = new Set(words(this.read(file) ?? ''))
    for (const w of words(value)) {
      if (!offered.includes(w.slice(1)) || this.refused.has(w.slice(1))) throw errnoError('EINVAL', file)
      if (w.startsWith('+')) enabled.add(w.slice(1))
      else enabled.delete(w.slice(1))
    }
    this.put(file, offered.filter(c => enabled.has(c)).join(' ') + '\n') // the kernel lists them in its own order
    // existing children get the interface files of what is now handed down
    for (const child of this.subdirs(dir)) this.addControllerFiles(path.join(dir, child), [...enabled])
  }

  private addControllerFiles(dir: string, controllers: string[]): void {
    for (const c of controllers) {
      for (const f of V2_FILES[c] ?? []) if (!fs.existsSync(path.join(dir, f))) this.put(path.join(dir, f), '')
    }
  }

  hugePageSizes(): string[] {
    return this.pageSizes
  }

  private procsBelow(dir: string): number[] {
    const own = words(this.read(path.join(dir, 'cgroup.procs')) ?? '').map(Number)
    return [...own, ...this.subdirs(dir).flatMap(d => this.procsBelow(path.join(dir, d)))]
  }

  kill(pid: number, signal: number): void {
    this.signals.push({ pid, signal })
    if (signal !== 9) return
    const left = this.stubborn.get(pid) ?? 0
    if (left > 0) return void this.stubborn.set(pid, left - 1)
    this.dropPid(this.root, pid)
  }

  // a killed process leaves every group of every hierarchy
  private dropPid(dir: string, pid: number): void {
    const procs = path.join(dir, 'cgroup.procs')
    if (fs.existsSync(procs)) this.put(procs, words(fs.readFileSync(procs, 'utf8')).filter(w => w !== String(pid)).map(w => `${w}\n`).join(''))
    for (const d of this.subdirs(dir)) this.dropPid(path.join(dir, d), pid)
  }

  sleep(): void {
    this.sleeps++
  }

  /** the device filters attached, in order (a later one for the same dir replaces the earlier) */
  readonly filters: { dir: string; program: Buffer }[] = []

  attachDeviceFilter(dir: string, program: Buffer): void {
    if (!fs.existsSync(path.join(dir, 'cgroup.procs'))) throw errnoError('ENOENT', dir)
    this.filters.push({ dir, program })
  }
}
