// runt create <id>: set up the container from the bundle; its process waits for `start`.

import type { GlobalOptions } from './context'
import { createContainer } from '../runtime/create-container'
import { createFlags } from './flag-values'

export function create(g: GlobalOptions, [id]: string[], opts: Record<string, unknown>): number {
  const created = createContainer(g, id, { ...createFlags(opts), waitForStart: true, detached: true })
  created.handle.release()
  return 0
}
