// runt pause / resume <id>: freeze and thaw every process of the container through
// its cgroup freezer. `state` then reports "paused" (derived from the freezer).

import { StatusError } from '../errors'
import type { GlobalOptions } from './context'
import { withContainer } from '../runtime/container'
import { containerCgroups } from '../runtime/container-cgroups'

export function pause(g: GlobalOptions, [id]: string[]): Promise<number> {
  return withContainer(g, id, c => {
    // runc pauses a created container too: its init waits on the exec fifo
    if (c.status !== 'running' && c.status !== 'created') throw new StatusError('container not running', { id })
    containerCgroups(c)!.freeze()
    return 0
  })
}

export function resume(g: GlobalOptions, [id]: string[]): Promise<number> {
  return withContainer(g, id, c => {
    if (c.status !== 'paused') throw new StatusError('container not paused', { id })
    containerCgroups(c)!.thaw()
    return 0
  })
}
