// linux.namespaces -> namespaces to create (clone flags) and to join (setns).

import { ConfigError } from '../errors'
import { NAMESPACE_FLAGS } from '../spec/linux-names'
import type { Linux, NamespaceType as SpecNamespaceType } from '../spec/types'
import type { IdMapping, NamespaceType, TimeOffset } from './types'

/**
 * setns order: the user namespace first (it grants the rights for the others),
 * the mount namespace last (after it, namespace paths resolve in the container).
 */
const JOIN_ORDER: readonly NamespaceType[] = ['user', 'ipc', 'uts', 'network', 'pid', 'cgroup', 'time', 'mount']

export interface NamespacePlan {
  cloneFlags: number
  joinNamespaces: { type: NamespaceType; path: string }[]
  uidMappings: IdMapping[]
  gidMappings: IdMapping[]
  timeOffsets: TimeOffset[]
}

/** Whether the config puts the container in a namespace of this type (new or joined). */
export function hasNamespace(linux: Linux | undefined, type: SpecNamespaceType): boolean {
  return (linux?.namespaces ?? []).some(ns => ns.type === type)
}

/** Whether the config asks for a new namespace of this type. */
export function createsNamespace(linux: Linux | undefined, type: SpecNamespaceType): boolean {
  return (linux?.namespaces ?? []).some(ns => ns.type === type && !ns.path)
}

export function planNamespaces(linux: Linux | undefined): NamespacePlan {
  let cloneFlags = 0
  const joins: { type: NamespaceType; path: string }[] = []
  ;(linux?.namespaces ?? []).forEach((ns, i) => {
    const flag = NAMESPACE_FLAGS[ns.type]
    if (flag === undefined) {
      throw new ConfigError([`/linux/namespaces/${i}/type: unknown namespace type "${ns.type}"`])
    }
    if (ns.path) joins.push({ type: ns.type, path: ns.path })
    else cloneFlags |= flag
  })
  joins.sort((a, b) => JOIN_ORDER.indexOf(a.type) - JOIN_ORDER.indexOf(b.type))

  const newUserNs = createsNamespace(linux, 'user')
  return {
    cloneFlags,
    joinNamespaces: joins,
    // maps belong to a user namespace we create; a joined one has its own already
    uidMappings: newUserNs ? copyMappings(linux?.uidMappings) : [],
    gidMappings: newUserNs ? copyMappings(linux?.gidMappings) : [],
    timeOffsets: createsNamespace(linux, 'time') ? planTimeOffsets(linux) : [],
  }
}

function copyMappings(maps: IdMapping[] | undefined): IdMapping[] {
  return (maps ?? []).map(m => ({ containerID: m.containerID, hostID: m.hostID, size: m.size }))
}

function planTimeOffsets(linux: Linux | undefined): TimeOffset[] {
  const offsets: TimeOffset[] = []
  for (const clock of ['monotonic', 'boottime'] as const) {
    const offset = linux?.timeOffsets?.[clock]
    if (offset) offsets.push({ clock, secs: BigInt(offset.secs ?? 0), nanosecs: offset.nanosecs ?? 0 })
  }
  return offsets
}
