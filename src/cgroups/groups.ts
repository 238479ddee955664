// The container's cgroups over their whole life: create, place a process, list and
// signal its processes, freeze, remove. One set of groups serves every layout: one group
// per hierarchy; the version-specific steps live in v1.ts, v2.ts and freezer.ts.
//   legacy:  one group per v1 hierarchy;
//   hybrid:  the same, plus a group in the cgroup2 mount, so the container is accounted
//            there too, as runc does;
//   unified: one group, with controllers enabled along its path.
// Limits and statistics are the manager's (manager.ts), which builds on these: the
// commands that only signal, freeze or remove (kill, delete, pause) never load them.

import path from 'node:path'
import { RuntError, SystemError, systemError } from '../errors'
import { SIGNALS } from '../spec/linux-names'
import { detectLayout, type CgroupLayout, type CgroupMode, type Hierarchy } from './detect'
import { groupFreezer, v1Freezer, v2Freezer, type Freezer } from './freezer'
import { hostCgroups, pidsBelow, type CgroupHost } from './host'
import { containerCgroupDirs } from './path'
import { fillEmptyCpuset } from './v1'
import { delegateControllers, killViaCgroupKill } from './v2'

export interface CgroupGroups {
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
  /** freeze every process (pause); throws when the kernel does not report the group frozen in time */
  freeze(): void
  thaw(): void
  isFrozen(): boolean
  /** remove the directories create() made, deepest first; the container's own groups after killing stragglers (bounded) */
  destroy(): void
}

export interface CgroupGroupsOptions {
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

export interface Group {
  hierarchy: Hierarchy
  dir: string
}

// Removing the container's own group: attempts, and the longest pause between two.
const REMOVE_ATTEMPTS = 30
const REMOVE_MAX_PAUSE_MS = 100

/** What the groups' constructor takes: the container's groups for opts on layout, each checked to lie inside its hierarchy. */
export function groupsFor(opts: CgroupGroupsOptions, layout: CgroupLayout, host: CgroupHost): ConstructorParameters<typeof FsCgroupGroups> {
  const dirs = opts.paths ?? containerCgroupDirs(layout, opts.id, opts.cgroupsPath)
  const groups: Group[] = []
  for (const h of layout.hierarchies) {
    const dir = dirs[h.key]
    if (dir === undefined) continue
    requireBelowMount(h, dir, opts.id)
    groups.push({ hierarchy: h, dir })
  }
  for (const dir of opts.created ?? []) {
    const resolved = path.resolve(dir)
    if (!layout.hierarchies.some(h => isBelowResolved(resolved, h.mountpoint))) throw new RuntError(`container ${opts.id}: stored cgroup directory ${dir} is not inside any cgroup hierarchy`, { id: opts.id, path: dir })
  }
  const skippable = opts.rootless === true && !opts.cgroupsPath
  return [opts.id, layout.mode, groups, [...(opts.created ?? [])], host, skippable]
}

export function cgroupGroups(opts: CgroupGroupsOptions, layout: CgroupLayout = detectLayout(), host: CgroupHost = hostCgroups): CgroupGroups {
  return new FsCgroupGroups(...groupsFor(opts, layout, host))
}

/** What an unprivileged runtime meets where it may not make or enter a group. */
const NOT_PERMITTED = new Set(['EACCES', 'EPERM', 'EROFS'])

function notPermitted(err: unknown): boolean {
  return NOT_PERMITTED.has((err as RuntError).errno ?? errnoOf(err) ?? '')
}

/** Whether the normalized absolute path dir lies strictly below mountpoint (a plain prefix test: called for every stored directory and hierarchy). */
function isBelowResolved(dir: string, mountpoint: string): boolean {
  const prefix = mountpoint.endsWith('/') ? mountpoint : `${mountpoint}/`
  return dir.length > prefix.length && dir.startsWith(prefix)
}

function requireBelowMount(h: Hierarchy, dir: string, id: string): void {
  if (!isBelowResolved(path.resolve(dir), h.mountpoint)) {
    throw new RuntError(`container ${id}: cgroup directory ${dir} is not below the ${h.key} hierarchy at ${h.mountpoint}`, { id, path: dir })
  }
}

/** The errno name of a node error (err.code), if any. */
export function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code
}

export class FsCgroupGroups implements CgroupGroups {
  constructor(
    protected readonly id: string,
    protected readonly mode: CgroupMode,
    protected readonly groups: Group[],
    private created: string[],
    protected readonly host: CgroupHost,
    /** rootless without a cgroupsPath: a group it is not permitted to use is skipped */
    protected readonly skipForbidden = false,
  ) {}

  /** hierarchies skipped for lack of permission (rootless) */
  protected readonly skipped: Hierarchy[] = []

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
    return groupFreezer(this.host, this.v1Group('freezer')?.dir, this.cgroup2Group()?.dir)
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

  killAll(signal: number): void {
    // an empty or already removed group: nothing to signal (kill --all after the init exited)
    if (this.pids().length === 0) return
    const v2 = this.groups.find(g => g.hierarchy.version === 2)
    if (signal === SIGNALS.KILL && v2 && killViaCgroupKill(this.host, v2.dir)) return
    const freezer = this.freezer()
    const wasFrozen = freezer?.isFrozen() ?? false
    freezer?.freeze()
    try {
      for (const pid of this.pids()) this.host.kill(pid, signal)
    } finally {
      // A paused container stays paused, except that v1 tasks only die of SIGKILL once thawed.
      if (freezer && (!wasFrozen || signal === SIGNALS.KILL)) freezer.thaw()
    }
  }

  protected cgroup2Group(): Group | undefined {
    return this.groups.find(g => g.hierarchy.version === 2)
  }

  protected v1Group(controller: string): Group | undefined {
    return this.groups.find(g => g.hierarchy.version === 1 && g.hierarchy.controllers.includes(controller))
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
    // a group without child groups (the usual case) goes at once, without listing it
    const first = this.tryRmdir(dir)
    if (first !== 'EBUSY' && first !== 'ENOTEMPTY') return first
    for (const child of this.host.subdirs(dir)) {
      const code = this.tryRemoveTree(path.join(dir, child))
      if (code !== undefined) return code
    }
    return this.tryRmdir(dir)
  }

  /** rmdir(2): undefined when dir is gone, else the errno that kept it */
  private tryRmdir(dir: string): string | undefined {
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
    for (const pid of pidsBelow(this.host, g.dir)) this.host.kill(pid, SIGNALS.KILL)
  }
}
