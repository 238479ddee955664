// runt list: the containers under --root, as a table, JSON, or ids only.

import fs from 'node:fs'
import { RuntError, UsageError } from '../errors'
import type { GlobalOptions } from './context'
import { StateStore } from '../state/store'
import { formatList, type ListEntry } from '../state/format'
import { openContainer } from '../runtime/container'
import { stateOf } from '../runtime/state-view'

export function list(g: GlobalOptions, _args: string[], opts: Record<string, unknown>): number {
  const format = String(opts.format ?? 'table')
  if (format !== 'table' && format !== 'json') throw new UsageError(`invalid format option: ${format} (allowed: table, json)`)
  if (g.rootGiven && !fs.existsSync(g.root)) {
    throw new RuntError(`root directory ${g.root} does not exist`, { path: g.root })
  }
  const entries: ListEntry[] = []
  for (const id of new StateStore(g.root).ids()) {
    let c
    try {
      c = openContainer(g, id)
    } catch {
      continue // deleted while we listed
    }
    try {
      entries.push(stateOf(c).entry)
    } finally {
      c.handle.release()
    }
  }
  process.stdout.write(formatList(entries, format, opts.quiet === true))
  return 0
}
