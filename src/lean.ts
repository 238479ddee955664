// One simple command (start, state, kill or delete) on its own: the build bundles this
// file once per command (dist/runt-<command>.js, with RUNT_LEAN_COMMAND defined), and
// dist/runt.js loads that bundle for the command. The code is the whole bundle's, less
// everything the command does not run, so a call reads, compiles and touches a fraction
// of the memory (on this kind of VM each new page costs about 11 us). A command line the
// quick parser does not take whole (help, a usage error, anything unusual) is left to
// the whole bundle, which words it.

import { normalizeArgv } from './cli/command-line'
import type { Action } from './cli/program'
import { quickParse } from './cli/quick-parse'
import { exitWhenDone, runCall } from './cli/run-call'

declare const RUNT_LEAN_COMMAND: string

/** The action of this bundle's command, or undefined for any other; the build drops the others' modules. */
function leanAction(command: string): Action | undefined {
  /* eslint-disable @typescript-eslint/no-require-imports */
  switch (command) {
    case 'start': return RUNT_LEAN_COMMAND === 'start' ? require('./cli/start').start : undefined
    case 'state': return RUNT_LEAN_COMMAND === 'state' ? require('./cli/state').state : undefined
    case 'kill': return RUNT_LEAN_COMMAND === 'kill' ? require('./cli/kill').kill : undefined
    case 'delete': return RUNT_LEAN_COMMAND === 'delete' ? require('./cli/delete').deleteCommand : undefined
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  return undefined
}

/** Run argv when it is this command's line and the quick parser takes it whole; false (having done nothing) otherwise. */
export function runLean(argv: string[]): boolean {
  let call
  try {
    call = quickParse(normalizeArgv(argv))
  } catch {
    return false // a bad global value: the whole bundle reports it
  }
  const action = call && leanAction(call.command)
  if (!call || !action) return false
  exitWhenDone(runCall(argv, () => call, () => action), true)
  return true
}
