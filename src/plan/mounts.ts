// config.json mounts -> the ordered mount operations of the launch plan.

import { posix } from 'node:path'
import { ConfigError } from '../errors'
import type { Mount } from '../spec/types'
import type { CgroupLayout, HostFacts } from './inputs'
import { MS, parseMountOptions, type ParsedMountOptions } from './mount-options'
import type { IdMapping, IdmapOp, MountOp, Symlink } from './types'

export interface MountsPlan {
  mounts: MountOp[]
  /** symlinks the mounts need (co-mounted cgroup v1 controllers) */
  symlinks: Symlink[]
}

/** A container path made absolute (relative destinations are relative to "/") and clean. */
export function containerPath(p: string): string {
  return posix.resolve('/', p)
}

/** The id maps of the user namespace the container creates, when it creates one. */
export interface ContainerIdMaps {
  uidMappings: IdMapping[]
  gidMappings: IdMapping[]
}

export function planMounts(
  mounts: readonly Mount[], bundle: string, facts: HostFacts, containerMaps: ContainerIdMaps | null = null,
): MountsPlan {
  const plan: MountsPlan = { mounts: [], symlinks: [] }
  mounts.forEach((mount, i) => {
    const where = `/mounts/${i} (${mount.destination})`
    const options = parseMountOptions(mount.options)
    const destination = containerPath(mount.destination)
    const bind = isBind(mount, options)
    const idmap = planIdmap(mount, options, bind, containerMaps, `/mounts/${i}`)
    if (options.tmpcopyup && mount.type !== 'tmpfs') {
      throw new ConfigError([`${where}: "tmpcopyup" applies to tmpfs mounts only (type is ${JSON.stringify(mount.type ?? '')})`])
    }
    if (bind) {
      plan.mounts.push({ ...bindOp(mount, options, destination, bundle, facts, where), idmap })
    } else if (mount.type === 'cgroup') {
      addCgroupMounts(plan, mount, options, destination, facts.cgroupLayout)
    } else {
      plan.mounts.push({
        ...optionFields(options),
        destination,
        source: mount.source ?? '',
        fstype: mount.type ?? '',
        createAs: 'dir',
        tmpcopyup: options.tmpcopyup,
        idmap: null,
      })
    }
  })
  for (const op of plan.mounts) refuseNul(op)
  return plan
}

function isBind(mount: Mount, options: ParsedMountOptions): boolean {
  return mount.type === 'bind' || (options.flags & MS.BIND) !== 0
}

/**
 * An idmapped bind (config.md, "idmap"/"ridmap" and the mount's uidMappings/gidMappings):
 * the mount's own mappings, or else the container's user namespace mappings; without
 * either it is an error. Mappings without the option still idmap the mount (as runc
 * does: an older runtime must not quietly skip them), recursively only with "ridmap".
 */
function planIdmap(
  mount: Mount, options: ParsedMountOptions, bind: boolean, containerMaps: ContainerIdMaps | null, pointer: string,
): IdmapOp | null {
  const own = mount.uidMappings !== undefined || mount.gidMappings !== undefined
  if (!options.idmap && !own) return null
  const what = options.idmap ? `"${options.idmap}"` : 'uidMappings/gidMappings'
  if (!bind) throw new ConfigError([`${pointer}: ${what} applies to bind mounts only (type is ${JSON.stringify(mount.type ?? '')})`])
  const recursive = options.idmap === 'ridmap'
  if (own) {
    if (!mount.uidMappings?.length) throw new ConfigError([`${pointer}/uidMappings: required with gidMappings, and not empty`])
    if (!mount.gidMappings?.length) throw new ConfigError([`${pointer}/gidMappings: required with uidMappings, and not empty`])
    return { recursive, uidMappings: copyMaps(mount.uidMappings), gidMappings: copyMaps(mount.gidMappings) }
  }
  if (!containerMaps) {
    throw new ConfigError([
      `${pointer}: ${what} needs the mount's uidMappings and gidMappings, or a new user namespace with mappings (/linux/uidMappings)`,
    ])
  }
  return { recursive, uidMappings: copyMaps(containerMaps.uidMappings), gidMappings: copyMaps(containerMaps.gidMappings) }
}

function copyMaps(maps: readonly IdMapping[]): IdMapping[] {
  return maps.map(m => ({ containerID: m.containerID, hostID: m.hostID, size: m.size }))
}

function optionFields(options: ParsedMountOptions): Pick<MountOp, 'flags' | 'propagation' | 'data' | 'recAttrSet' | 'recAttrClr'> {
  return {
    flags: options.flags,
    propagation: options.propagation,
    data: options.data,
    recAttrSet: options.recAttrSet,
    recAttrClr: options.recAttrClr,
  }
}

function bindOp(
  mount: Mount, options: ParsedMountOptions, destination: string, bundle: string, facts: HostFacts, where: string,
): MountOp {
  if (!mount.source) throw new ConfigError([`${where}: a bind mount needs a source`])
  // an absolute source is kept as written: cleaning "a/link/../b" could name another file
  const source = posix.isAbsolute(mount.source) ? mount.source : posix.join(bundle, mount.source)
  const isDirectory = facts.isDirectory(source)
  if (isDirectory === undefined) throw new ConfigError([`${where}: bind source ${JSON.stringify(source)} does not exist`])
  return {
    ...optionFields(options),
    flags: options.flags | MS.BIND,
    destination,
    source,
    fstype: 'bind',
    createAs: isDirectory ? 'dir' : 'file',
    tmpcopyup: false,
    idmap: null,
  }
}

/**
 * A "cgroup" mount: cgroup2 itself on a unified host. On cgroup v1 (as runc):
 * a tmpfs, then a bind of the container's directory in each hierarchy, and a
 * symlink per controller of a co-mounted hierarchy (cpu -> cpu,cpuacct).
 */
function addCgroupMounts(
  plan: MountsPlan, mount: Mount, options: ParsedMountOptions, destination: string, layout: CgroupLayout,
): void {
  if (layout.kind === 'unified') {
    plan.mounts.push({
      ...optionFields(options), destination, source: mount.source || 'cgroup', fstype: 'cgroup2', createAs: 'dir', tmpcopyup: false, idmap: null,
    })
    return
  }
  plan.mounts.push({
    destination,
    source: 'tmpfs',
    fstype: 'tmpfs',
    flags: options.flags & (MS.NOSUID | MS.NODEV | MS.NOEXEC),
    propagation: options.propagation,
    data: 'mode=755',
    recAttrSet: 0,
    recAttrClr: 0,
    createAs: 'dir',
    tmpcopyup: false,
    idmap: null,
  })
  for (const h of layout.hierarchies) {
    plan.mounts.push({
      destination: posix.join(destination, h.name),
      source: h.hostPath,
      fstype: 'bind',
      // the config's flags (ro in the default config) apply to each bind
      flags: MS.BIND | MS.REC | options.flags,
      propagation: options.propagation,
      data: '',
      recAttrSet: 0,
      recAttrClr: 0,
      createAs: 'dir',
      tmpcopyup: false,
      idmap: null,
    })
  }
  const names = new Set(layout.hierarchies.map(h => h.name))
  for (const h of layout.hierarchies) {
    if (!h.name.includes(',')) continue
    for (const controller of h.name.split(',')) {
      if (names.has(controller)) continue
      plan.symlinks.push({ target: h.name, linkPath: posix.join(destination, controller) })
    }
  }
}

function refuseNul(op: MountOp): void {
  for (const [field, value] of [['destination', op.destination], ['source', op.source], ['type', op.fstype], ['options', op.data]]) {
    if (value.includes('\0')) throw new ConfigError([`mount ${JSON.stringify(op.destination)}: ${field} contains a NUL byte`])
  }
}
