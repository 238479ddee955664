// The command line: runc's global flags and commands, from the table in commands.ts.
// Common lines are parsed by quick-parse.ts, the rest by commander (commander-parse.ts,
// loaded only then). Each action loads its command module only when it runs.

import { RuntError, UsageError } from '../errors'
import { COMMANDS } from './commands'
import { normalizeArgv } from './command-line'
import type { GlobalOptions } from './context'
import { quickParse } from './quick-parse'
import { writeStdout } from '../sys/stdout'

export { versionText } from './version'
export { normalizeArgv }

export type Action = (globals: GlobalOptions, args: string[], opts: Record<string, unknown>) => number | Promise<number>

/** Loads a command's implementation; kept as one switch so the bundle stays lazy. */
export function loadAction(name: string): Action {
  /* eslint-disable @typescript-eslint/no-require-imports */
  switch (name) {
    case 'create': return require('./create').create
    case 'start': return require('./start').start
    case 'run': return require('./run').run
    case 'exec': return require('./exec').exec
    case 'kill': return require('./kill').kill
    case 'delete': return require('./delete').deleteCommand
    case 'state': return require('./state').state
    case 'list': return require('./list').list
    case 'ps': return require('./ps').ps
    case 'pause': return require('./pause').pause
    case 'resume': return require('./pause').resume
    case 'update': return require('./update').update
    case 'events': return require('./events').events
    case 'features': return require('./features').features
    case 'spec': return require('./spec').spec
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  throw new UsageError(`unknown command: ${name}`)
}

/** Load every command's module now (the planner, so that no call pays for it). */
export function loadAllCommands(): void {
  for (const def of COMMANDS) loadAction(def.name)
}

export interface ParsedCall {
  globals: GlobalOptions
  command: string
  args: string[]
  opts: Record<string, unknown>
}

/** Parse a command line into the call to make; prints help/version itself (returns null then). */
export function parse(argv: readonly string[], out: (s: string) => void = writeStdout): ParsedCall | null {
  const normalized = normalizeArgv(argv)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return quickParse(normalized) ?? (require('./commander-parse') as typeof import('./commander-parse')).parseWithCommander(normalized, out)
}

/** Run a parsed call. */
export async function execute(call: ParsedCall): Promise<number> {
  const action = loadAction(call.command)
  return await action(call.globals, call.args, call.opts)
}

export { RuntError }
