// runt state <id>: the container's state as runc prints it (JSON, no trailing newline).

import type { GlobalOptions } from './context'
import { withContainer } from '../runtime/container'
import { stateOf } from '../runtime/state-view'
import { writeStdout } from '../sys/stdout'

export function state(g: GlobalOptions, [id]: string[]): Promise<number> {
  return withContainer(g, id, c => {
    writeStdout(stateOf(c).json)
    return 0
  })
}
