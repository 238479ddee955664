// The container's cgroups over their whole life: create, place a process, list and
// signal its processes, remove. One manager serves every layout: it holds one group
// per hierarchy; the version-specific steps live in v1.ts, v2.ts, freezer.ts and resources.ts.
//   legacy:  one group per v1 hierarchy;
//   hybrid:  the same, plus a group in the cgroup2 mount, so the container is accounted
//            there too, as runc does; controllers only that mount has (hugetlb here) are
//            handed down along its path when a resource needs them (apply);
//   unified: one group, with controllers enabled along its path.

import { constants } from 'node:os'
import path from 'node:path'
import { RuntError, SystemError, systemError } from '../errors'
import type { Resources } from '../spec/types'
import { deviceFilterProgram, encodeProgram } from './device-filter'
import { detectLayout, type CgroupLayout, type CgroupMode, type Hierarchy } from './detect'
import { v1Freezer, v2Freezer, type Freezer } from './freezer'
import { hostCgroups, pidsBelow, readWords, type CgroupHost } from './host'
import { containerCgroupDirs } from './path'
import { log } from '../log'
import { refuseUnapplied, resourceWarnings, resourceWrites, type CgroupWrite, type HostFacts } from './resources'
import { oomKillCount, v1Stats, v2Stats, type Stats } from './stats'
import { fillEmptyCpuset } from './v1'
import { attachDeviceFilter, delegateControllers, killViaCgroupKill } from './v2'

export interface CgroupManager {
  /** the container's cgroup directory per hierarchy key ("memory", "cpu,cpuacct", "unified"), for state.json and the /sys/fs/cgroup mount in the container */
  paths(): Record<string, string>
  /** mkdir -p the container's cgroups, remembering which directories it made */
  create(): void
  /** the directories create() made and destroy() has not removed yet; store them so another process can destroy */
  createdDirs(): string[]
  /** the directories create() would make now (those missing), recorded beforehand so a killed create leaks none */
  missingDirs(): string[]
  /** move a process in (cgroup.procs in every hierarchy) */
  join(pid: number): void
  /** host pids in the container's group and its descendants, sorted */
  pids(): number[]
  /** send signal to every process: cgroup.kill for SIGKILL where the kernel has it, else freeze, signal each pid, thaw */
  killAll(signal: number): void
  /** write linux.resources into the container's groups; a resource runt cannot apply here is an error naming it */
  apply(resources: Resources, opts?: ApplyOptions): void
  /** freeze every process (pause); throws when the kernel does not report the group frozen in time */
  freeze(): void
  thaw(): void
  isFrozen(): boolean
  /** the groups' statistics in runc's events shape (types.Stats) */
  stats(): Stats
  /** how many processes the OOM killer has killed in the group so far (memory oom_kill counter) */
  oomKills(): number
  /** remove the directories create() made, deepest first; the container's own groups after killing stragglers (bounded) */
  destroy(): void
}

export interface CgroupManagerOptions {
  id: string
  /** linux.cgroupsPath of config.json */
  cgroupsPath?: string
  /** paths() as stored at create: use them rather than recompute (the caller's own cgroup may differ now) */
  paths?: Record<string, string>
  /** createdDirs() as stored at create */
  created?: string[]
  /**
   * an unprivileged runtime (runc's rootless cgroup manager, cgroupfs driver): without
   * an explicit cgroupsPath, a hierarchy it may not create or join a group in is
   * skipped; a limit that would need such a group is an error; device rules are skipped
   */
  rootless?: boolean
}

export interface ApplyOptions {
  /** update: devices are set at create only, as runc's update skips them */
  skipDevices?: boolean
}

// the linux.resources field a controller's writes come from, for errors
const FIELD_OF_CONTROLLER: Record<string, string> = {
  memory: 'memory', cpu: 'cpu', cpuset: 'cpu', pids: 'pids', blkio: 'blockIO', io: 'blockIO', devices: 'devices',
  hugetlb: 'hugepageLimits', net_cls: 'network.classID', net_prio: 'network.priorities', rdma: 'rdma',
}

interface Group {
  hierarchy: Hierarchy
  dir: string
}

// Removing the container's own group: attempts, and the longest pause between two.
const REMOVE_ATTEMPTS = 30
const REMOVE_MAX_PAUSE_MS = 100

export function cgroupManager(opts: CgroupManagerOptions, layout: CgroupLayout = detectLayout(), host: CgroupHost = hostCgroups): CgroupManager {
  const dirs = opts.paths ?? containerCgroupDirs(layout, opts.id, opts.cgroupsPath)
  const groups: Group[] = []
  for (const h of layout.hierarchies) {
    const dir = dirs[h.key]
    if (dir === undefined) continue
    requireBelowMount(h, dir, opts.id)
    groups.push({ hierarchy: h, dir })
  }
  for (const dir of opts.created ?? []) {
    if (!layout.hierarchies.some(h => isBelow(dir, h.mountpoint))) throw new RuntError(`container ${opts.id}: stored cgroup directory ${dir} is not inside any cgroup hierarchy`, { id: opts.id, path: dir })
  }
  const skippable = opts.rootless === true && !opts.cgroupsPath
  return new FsCgroupManager(opts.id, layout.mode, groups, [...(opts.created ?? [])], host, skippable)
}

/** What an unprivileged runtime meets where it may not make or enter a group. */
const NOT_PERMITTED = new Set(['EACCES', 'EPERM', 'EROFS'])

function notPermitted(err: unknown): boolean {
  return NOT_PERMITTED.has((err as RuntError).errno ?? errnoOf(err) ?? '')
}

function isBelow(dir: string, mountpoint: string): boolean {
  const rel = path.relative(mountpoint, dir)
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)
}

function requireBelowMount(h: Hierarchy, dir: string, id: string): void {
  if (!isBelow(dir, h.mountpoint)) {
    throw new RuntError(`container ${id}: cgroup directory ${dir} is not below the ${h.key} hierarchy at ${h.mountpoint}`, { id, path: dir })
  }
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code
}

class FsCgroupManager implements CgroupManager {
  constructor(
    private readonly id: string,
    private readonly mode: CgroupMode,
    private readonly groups: Group[],
    private created: string[],
    private readonly host: CgroupHost,
    /** rootless without a cgroupsPath: a group it is not permitted to use is skipped */
    private readonly skipForbidden = false,
  ) {}

  /** hierarchies skipped for lack of permission (rootless) */
  private readonly skipped: Hierarchy[] = []

  /** Run step for group g; a permission error drops g when the manager may skip it. */
  private orSkip(g: Group, step: () => void): void {
    try {
      step()
    } catch (err) {
      if (!this.skipForbidden || !notPermitted(err)) throw err
      this.groups.splice(this.groups.indexOf(g), 1)
      this.skipped.push(g.hierarchy)
    }
  }

  paths(): Record<string, string> {
    return Object.fromEntries(this.groups.map(g => [g.hierarchy.key, g.dir]))
  }

  createdDirs(): string[] {
    return [...this.created]
  }

  missingDirs(): string[] {
    const missing = new Set<string>()
    for (const g of this.groups) {
      let dir = g.hierarchy.mountpoint
      for (const name of path.relative(dir, g.dir).split('/')) {
        dir = path.join(dir, name)
        if (!this.host.exists(dir)) missing.add(dir)
      }
    }
    return [...missing]
  }

  create(): void {
    try {
      for (const g of [...this.groups]) this.orSkip(g, () => this.createGroup(g))
    } catch (err) {
      try {
        this.removeCreated() // leave nothing half made behind
      } catch {
        // the create error is the one to report
      }
      throw err
    }
  }

  private createGroup(g: Group): void {
    const { mountpoint, controllers } = g.hierarchy
    // only a unified host hands controllers down; a hybrid host's cgroup2 group is joined only
    const delegates = this.mode === 'unified'
    let dir = mountpoint
    for (const name of path.relative(mountpoint, g.dir).split('/')) {
      if (delegates) delegateControllers(this.host, dir, dir === mountpoint)
      dir = path.join(dir, name)
      if (this.host.mkdir(dir)) this.created.push(dir)
      if (controllers.includes('cpuset') && g.hierarchy.version === 1) fillEmptyCpuset(this.host, dir)
    }
  }

  join(pid: number): void {
    for (const g of [...this.groups]) this.orSkip(g, () => this.host.write(path.join(g.dir, 'cgroup.procs'), String(pid)))
  }

  /** The group whose process list counts: the cgroup2 one where there is one, else freezer, else devices. */
  private primary(): Group | undefined {
    return this.groups.find(g => g.hierarchy.version === 2) ?? this.v1Group('freezer') ?? this.v1Group('devices') ?? this.groups[0]
  }

  pids(): number[] {
    const g = this.primary()
    return g ? pidsBelow(this.host, g.dir) : []
  }

  /** v1's freezer wherever it is mounted (what runc and v1 tools read), else cgroup2's cgroup.freeze */
  private freezer(): Freezer | undefined {
    const v1 = this.v1Group('freezer')
    const v2 = this.groups.find(g => g.hierarchy.version === 2)
    return (v1 && v1Freezer(this.host, v1.dir)) ?? (v2 && v2Freezer(this.host, v2.dir))
  }

  private requireFreezer(): Freezer {
    const f = this.freezer()
    if (!f) throw new SystemError(`container ${this.id}: no freezer: neither the v1 freezer controller nor cgroup.freeze is available`, { id: this.id })
    return f
  }

  freeze(): void {
    const f = this.requireFreezer()
    if (!f.freeze()) {
      f.thaw()
      throw new SystemError(`container ${this.id}: cgroup did not freeze (a process stays in uninterruptible sleep); left thawed`, { id: this.id })
    }
  }

  thaw(): void {
    this.requireFreezer().thaw()
  }

  isFrozen(): boolean {
    return this.freezer()?.isFrozen() ?? false
  }

  stats(): Stats {
    if (this.mode === 'unified' && this.groups[0]) return v2Stats(this.groups[0].dir)
    const dirs: Record<string, string> = {}
    for (const g of this.groups) for (const c of g.hierarchy.controllers) if (g.hierarchy.version === 1) dirs[c] = g.dir
    const cgroup2 = this.cgroup2Group()
    return v1Stats(dirs, this.cgroup2Only().includes('hugetlb') ? cgroup2?.dir : undefined)
  }

  oomKills(): number {
    const g = this.mode === 'unified' ? this.groups[0] : this.v1Group('memory')
    if (!g) return 0
    return oomKillCount(this.host.read(path.join(g.dir, this.mode === 'unified' ? 'memory.events' : 'memory.oom_control')) ?? '')
  }

  killAll(signal: number): void {
    // an empty or already removed group: nothing to signal (kill --all after the init exited)
    if (this.pids().length === 0) return
    const v2 = this.groups.find(g => g.hierarchy.version === 2)
    if (signal === constants.signals.SIGKILL && v2 && killViaCgroupKill(this.host, v2.dir)) return
    const freezer = this.freezer()
    const wasFrozen = freezer?.isFrozen() ?? false
    freezer?.freeze()
    try {
      for (const pid of this.pids()) this.host.kill(pid, signal)
    } finally {
      // A paused container stays paused, except that v1 tasks only die of SIGKILL once thawed.
      if (freezer && (!wasFrozen || signal === constants.signals.SIGKILL)) freezer.thaw()
    }
  }

  apply(resources: Resources, opts: ApplyOptions = {}): void {
    // rootless: device rules are not expected to work (runc ignores their errors)
    if (opts.skipDevices || this.skipForbidden) resources = { ...resources, devices: undefined }
    refuseUnapplied(resources, this.mode)
    for (const warning of resourceWarnings(resources)) log().warn(warning, { id: this.id })
    // compiled first: a bad rule is refused before anything is written
    const filter = this.mode === 'unified' && resources.devices?.length ? encodeProgram(deviceFilterProgram(resources.devices)) : undefined
    const writes = resourceWrites(resources, this.mode, this.facts())
    const cgroup2 = this.cgroup2Group()
    if (this.mode === 'hybrid' && cgroup2 && writes.some(w => w.cgroup2)) this.delegateAbove(cgroup2)
    for (const w of writes) this.applyWrite(this.groupFor(w), w)
    if (filter && cgroup2) attachDeviceFilter(this.host, this.id, cgroup2.dir, filter)
  }

  private cgroup2Group(): Group | undefined {
    return this.groups.find(g => g.hierarchy.version === 2)
  }

  /** hybrid: the controllers the cgroup2 mount has and no v1 hierarchy does (hugetlb on this kind of host) */
  private cgroup2Only(): string[] {
    if (this.mode !== 'hybrid') return []
    // skipped ones count too (rootless): a hugetlb limit still belongs to the cgroup2 mount
    const hierarchies = [...this.groups.map(g => g.hierarchy), ...this.skipped]
    const v1 = new Set(hierarchies.flatMap(h => (h.version === 1 ? h.controllers : [])))
    return hierarchies.find(h => h.version === 2)?.controllers.filter(c => !v1.has(c)) ?? []
  }

  private facts(): HostFacts {
    const cgroup2Only = this.cgroup2Only()
    const groupOf = (controller: string) => (this.mode === 'unified' || cgroup2Only.includes(controller) ? this.cgroup2Group() : this.v1Group(controller))
    const number = (g: Group | undefined, file: string) => {
      const n = g ? Number(this.host.read(path.join(g.dir, file))) : NaN
      return Number.isFinite(n) ? n : undefined
    }
    // read only when a resource's translation asks: most configs need none of them
    const self = this
    return {
      get memoryLimit() {
        return self.mode === 'unified' ? undefined : number(self.v1Group('memory'), 'memory.limit_in_bytes')
      },
      get memoryUsage() {
        return self.mode === 'unified' ? number(self.cgroup2Group(), 'memory.current') : undefined
      },
      read: (controller, file) => {
        const g = groupOf(controller)
        return g && this.host.read(path.join(g.dir, file))
      },
      get hugePageSizes() {
        return self.host.hugePageSizes()
      },
      cgroup2Only,
    }
  }

  /** hybrid: hand the cgroup2 mount's controllers down every level above the container's group */
  private delegateAbove(g: Group): void {
    const { mountpoint } = g.hierarchy
    let dir = mountpoint
    for (const name of path.relative(mountpoint, g.dir).split('/')) {
      delegateControllers(this.host, dir, dir === mountpoint)
      dir = path.join(dir, name)
    }
  }

  /** The group a write goes to; a controller the container's group lacks is an error naming the config field. */
  private groupFor(w: CgroupWrite): Group {
    const field = w.field ?? `linux.resources.${FIELD_OF_CONTROLLER[w.controller] ?? w.controller}`
    if (this.mode !== 'unified' && !w.cgroup2) {
      const g = this.v1Group(w.controller)
      if (!g) this.refuseSkipped(w.controller, (key) => key.split(',').includes(w.controller))
      if (!g) throw new SystemError(`container ${this.id}: ${field}: needs the ${w.controller} cgroup controller, which is not mounted on this host`, { id: this.id })
      return g
    }
    const g = this.cgroup2Group()
    if (!g) this.refuseSkipped(w.controller, (key) => key === 'unified')
    if (!g) throw new SystemError(`container ${this.id}: ${field}: needs a cgroup v2 group, and this host has no cgroup2 mount`, { id: this.id })
    // "cgroup.*" files are the core's, there in every group
    if (w.controller !== 'cgroup' && !readWords(this.host, path.join(g.dir, 'cgroup.controllers')).includes(w.controller)) {
      throw new SystemError(`container ${this.id}: ${field}: needs the ${w.controller} controller, which cgroup ${g.dir} is not given (the host lacks it or a parent does not delegate it)`, { id: this.id, path: g.dir })
    }
    if (w.field && !this.host.exists(path.join(g.dir, w.file))) {
      throw new SystemError(`container ${this.id}: ${field}: cgroup ${g.dir} has no file ${w.file}`, { id: this.id, path: path.join(g.dir, w.file), errno: 'ENOENT' })
    }
    return g
  }

  /** rootless: a write to a hierarchy skipped for lack of permission fails in runc's words */
  private refuseSkipped(controller: string, isTarget: (key: string) => boolean): void {
    if (this.skipped.some(h => isTarget(h.key))) {
      throw new SystemError(`cannot set ${controller} limit: container could not join or create cgroup (not permitted to an unprivileged runtime)`, { id: this.id })
    }
  }

  private v1Group(controller: string): Group | undefined {
    return this.groups.find(g => g.hierarchy.version === 1 && g.hierarchy.controllers.includes(controller))
  }

  private applyWrite(g: Group, w: CgroupWrite): void {
    const file = path.join(g.dir, w.file)
    if (w.ifExists && !this.host.exists(file)) return
    try {
      this.host.write(file, w.value)
    } catch (err) {
      // the kernel's refusal (EINVAL, EBUSY for a limit below current use, ...) names the setting
      const errno = (err as RuntError).errno ?? errnoOf(err) ?? 'EIO'
      throw new SystemError(`container ${this.id}: linux.resources: the kernel refused ${w.file} = ${w.value}: ${errno} (${file})`, { id: this.id, path: file, errno, cause: err })
    }
  }

  destroy(): void {
    this.removeCreated()
  }

  private removeCreated(): void {
    const own = new Set(this.groups.map(g => g.dir))
    const left: string[] = []
    for (const g of this.groups) if (this.created.includes(g.dir)) this.removeContainerGroup(g)
    // Groups above the container's that create() made: another container may use them
    // now, so one attempt each, and a busy one stays.
    const depth = (d: string) => d.split('/').length
    for (const dir of this.created.filter(d => !own.has(d)).sort((a, b) => depth(b) - depth(a))) {
      try {
        this.host.rmdir(dir)
      } catch (err) {
        const code = errnoOf(err)
        if (code === 'EBUSY' || code === 'ENOTEMPTY') left.push(dir)
        else if (code !== 'ENOENT') throw systemError(`container ${this.id}: removing cgroup ${dir}`, err, { id: this.id, path: dir })
      }
    }
    this.created = left
  }

  /** Remove the container's group and any group its processes made below it, killing stragglers. */
  private removeContainerGroup(g: Group): void {
    let pause = 1
    for (let attempt = 1; attempt <= REMOVE_ATTEMPTS; attempt++) {
      const code = this.tryRemoveTree(g.dir)
      if (code === undefined) return
      if (code !== 'EBUSY' && code !== 'ENOTEMPTY') {
        throw new SystemError(`container ${this.id}: removing cgroup ${g.dir}: ${code}`, { id: this.id, path: g.dir, errno: code })
      }
      this.killStragglers(g)
      this.host.sleep(pause)
      pause = Math.min(pause * 2, REMOVE_MAX_PAUSE_MS)
    }
    throw new SystemError(`container ${this.id}: cgroup ${g.dir} still busy after ${REMOVE_ATTEMPTS} attempts to remove it: EBUSY`, { id: this.id, path: g.dir, errno: 'EBUSY' })
  }

  /** rmdir dir's subtree deepest first; the errno that stopped it, or undefined when dir is gone. */
  private tryRemoveTree(dir: string): string | undefined {
    for (const child of this.host.subdirs(dir)) {
      const code = this.tryRemoveTree(path.join(dir, child))
      if (code !== undefined) return code
    }
    try {
      this.host.rmdir(dir)
      return undefined
    } catch (err) {
      const code = errnoOf(err) ?? 'EIO'
      return code === 'ENOENT' ? undefined : code
    }
  }

  private killStragglers(g: Group): void {
    const { version, controllers } = g.hierarchy
    // frozen tasks do not die of SIGKILL in v1 until thawed
    const freezer = version === 2 ? v2Freezer(this.host, g.dir) : controllers.includes('freezer') ? v1Freezer(this.host, g.dir) : undefined
    if (freezer?.isFrozen()) freezer.thaw()
    if (version === 2 && killViaCgroupKill(this.host, g.dir)) return
    for (const pid of pidsBelow(this.host, g.dir)) this.host.kill(pid, constants.signals.SIGKILL)
  }
}
