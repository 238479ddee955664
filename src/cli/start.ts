// runt start <id>: run the user-specified program of a created container.

import { StatusError } from '../errors'
import type { GlobalOptions } from './context'
import { withContainer } from '../runtime/container'
import { releaseInit } from '../runtime/exec-fifo'
import { runPoststart } from '../runtime/poststart'

export function start(g: GlobalOptions, [id]: string[]): Promise<number> {
  return withContainer(g, id, c => {
    switch (c.status) {
      case 'created': {
        const rec = c.record!
        releaseInit(c.handle.dir, rec)
        runPoststart(rec)
        return 0
      }
      case 'stopped':
        throw new StatusError('cannot start a container that has stopped', { id })
      case 'running':
        throw new StatusError('cannot start an already running container', { id })
      case 'paused':
        throw new StatusError('cannot start a paused container (resume it instead)', { id })
    }
  })
}
