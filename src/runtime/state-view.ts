// A container as `state` and `list` show it.

import { formatState, stateDirOwner, stateEntry, type ListEntry } from '../state/format'
import type { ContainerRecord } from '../state/store'
import type { Container } from './container'

export function stateOf(c: Container): { json: string; entry: ListEntry } {
  // a create killed before it recorded anything: all we know is the id
  const rec: ContainerRecord = c.record ?? {
    id: c.id, ociVersion: '', bundle: '', rootfs: '', created: '', initPid: 0, initStartTime: '',
    annotations: {}, owner: 0, cgroupPaths: {}, namespacePaths: {}, sharedPidNs: false, config: { ociVersion: '' }, rootless: false,
  }
  return {
    json: formatState(rec, c.status),
    entry: stateEntry(rec, c.status, stateDirOwner(c.handle.dir)),
  }
}
