// runt list: the containers under --root, as a table, JSON, or ids only.

import fs from 'node:fs'
import { ContainerIdError, RuntError, UsageError } from '../errors'
import { log } from '../log'
import type { GlobalOptions } from './context'
import { StateStore } from '../state/store'
import { formatList, type ListEntry } from '../state/format'
import { openContainer } from '../runtime/container'
import { stateOf } from '../runtime/state-view'
import { writeStdout } from '../sys/stdout'

export function list(g: GlobalOptions, _args: string[], opts: Record<string, unknown>): number {
  const format = String(opts.format ?? 'table')
  if (format !== 'table' && format !== 'json') throw new UsageError(`invalid format option: ${format} (allowed: table, json)`)
  if (g.rootGiven && !fs.existsSync(g.root)) {
    throw new RuntError(`root directory ${g.root} does not exist`, { path: g.root })
  }
  const entries: ListEntry[] = []
  const store = new StateStore(g.root)
  store.sweepAbandoned()
  for (const id of store.ids()) {
    let c
    try {
      c = openContainer(g, id)
    } catch (err) {
      // deleted while we listed: nothing to say; unreadable: say so and go on (as runc)
      if (!(err instanceof ContainerIdError && err.message === 'container does not exist')) {
        log().warn(`load container ${id}: ${err instanceof Error ? err.message : String(err)}`, { id })
      }
      continue
    }
    try {
      entries.push(stateOf(c).entry)
    } finally {
      c.handle.release()
    }
  }
  writeStdout(formatList(entries, format, opts.quiet === true))
  return 0
}
