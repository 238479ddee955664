// runt start <id>: run the user-specified program of a created container.

import { StatusError } from '../errors'
import type { GlobalOptions } from './context'
import { withContainer } from '../runtime/container'
import { releaseInit } from '../runtime/exec-fifo'
import { runPoststart } from '../runtime/poststart'
import { NotifyProxy } from '../runtime/notify-socket'
import { stopPoint } from '../debug/stop-point'

export async function start(g: GlobalOptions, [id]: string[]): Promise<number> {
  const started = await withContainer(g, id, c => {
    switch (c.status) {
      case 'created': {
        const rec = c.record!
        const notify = NotifyProxy.listen(c.handle.dir, process.env.NOTIFY_SOCKET)
        try {
          stopPoint('start:locked')
          releaseInit(c.handle.dir, rec)
          stopPoint('start:released')
          runPoststart(rec)
        } catch (err) {
          notify?.close()
          throw err
        }
        return { rec, notify }
      }
      case 'stopped':
        throw new StatusError('cannot start a container that has stopped', { id })
      case 'running':
        throw new StatusError('cannot start an already running container', { id })
      case 'paused':
        throw new StatusError('cannot start a paused container (resume it instead)', { id })
    }
  })
  // with the lock released (kill and state work meanwhile): READY=1 to the host's NOTIFY_SOCKET
  if (started.notify) {
    try {
      started.notify.waitForReady(started.rec)
    } finally {
      started.notify.close()
    }
  }
  return 0
}
