// One call of the runt binary, from its command line to its exit status: parse, start
// logging, run the command's action, and report a failure as one line (report.ts).
// The whole bundle (main.ts) and the simple commands' bundles (lean.ts) all run it.

import type { Action, ParsedCall } from './program'
import { reportFailure, startLogging } from './report'

/** Run argv; parse returns null when it has answered itself (help, version). */
export async function runCall(argv: string[], parse: (argv: string[]) => ParsedCall | null, action: (command: string) => Action): Promise<number> {
  let call: ParsedCall | null = null
  try {
    call = parse(argv)
    if (call === null) return 0
    startLogging(call.globals)
    return await action(call.command)(call.globals, call.args, call.opts)
  } catch (err) {
    return reportFailure(err, call?.globals, argv)
  }
}

/**
 * The process's exit status once the call is done; a bug that escaped runCall is one line
 * too. With `now`, the process exits the moment the call is done, without node's
 * teardown of its heap (a millisecond or more): for the simple commands, whose work is
 * all synchronous and finished by then. The others may still have output in flight
 * (run and exec in the foreground, events) and end as node does.
 */
export function exitWhenDone(result: Promise<number>, now = false): void {
  result.then(
    code => { if (now) process.exit(code); process.exitCode = code },
    err => { process.stderr.write(`runt: internal error: ${String(err?.stack ?? err)}\n`); process.exitCode = 1 },
  )
}
