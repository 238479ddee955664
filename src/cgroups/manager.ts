// The container's cgroups with their limits and statistics: the groups of groups.ts,
// plus writing linux.resources into them (resources.ts turns the spec into cgroup
// writes), and reading their statistics (stats.ts).
//   hybrid:  controllers only the cgroup2 mount has (hugetlb here) are handed down along
//            its path when a resource needs them (apply).

import path from 'node:path'
import { RuntError, SystemError } from '../errors'
import type { Resources } from '../spec/types'
import { deviceFilterProgram, encodeProgram } from './device-filter'
import { detectLayout, type CgroupLayout } from './detect'
import { FsCgroupGroups, errnoOf, groupsFor, type CgroupGroups, type CgroupGroupsOptions, type Group } from './groups'
import { hostCgroups, readWords, type CgroupHost } from './host'
import { log } from '../log'
import { refuseUnapplied, resourceWarnings, resourceWrites, type CgroupWrite, type HostFacts } from './resources'
import { oomKillCount, v1Stats, v2Stats, type Stats } from './stats'
import { attachDeviceFilter, delegateControllers } from './v2'

export type CgroupManagerOptions = CgroupGroupsOptions

export interface CgroupManager extends CgroupGroups {
  /** write linux.resources into the container's groups; a resource runt cannot apply here is an error naming it */
  apply(resources: Resources, opts?: ApplyOptions): void
  /** the groups' statistics in runc's events shape (types.Stats) */
  stats(): Stats
  /** how many processes the OOM killer has killed in the group so far (memory oom_kill counter) */
  oomKills(): number
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

export function cgroupManager(opts: CgroupManagerOptions, layout: CgroupLayout = detectLayout(), host: CgroupHost = hostCgroups): CgroupManager {
  return new FsCgroupManager(...groupsFor(opts, layout, host))
}

class FsCgroupManager extends FsCgroupGroups implements CgroupManager {
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
}
