// runt run <id>: create and start a container. In the foreground runt waits for the
// container's process, forwards signals to it, returns its exit status (128+signal
// when it was killed) and deletes the container unless --keep.

import type { GlobalOptions } from './context'
import { createContainer } from '../runtime/create-container'
import { openContainer } from '../runtime/container'
import { destroyContainer } from '../runtime/destroy'
import { waitForChild, forwardSignals } from '../runtime/foreground'
import { createFlags } from './flag-values'

export async function run(g: GlobalOptions, [id]: string[], opts: Record<string, unknown>): Promise<number> {
  // no exec fifo: the process starts as soon as the container is set up
  const created = createContainer(g, id, { ...createFlags(opts), waitForStart: false, detached: opts.detach === true })
  created.handle.release()
  if (opts.detach === true) return 0

  const stopForwarding = forwardSignals(created.pid)
  let status: number
  try {
    status = await waitForChild(created.pid)
  } finally {
    stopForwarding()
  }
  if (opts.keep !== true) {
    const c = openContainer(g, id)
    try {
      destroyContainer(c)
    } finally {
      c.handle.release()
    }
  }
  return status
}
