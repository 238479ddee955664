// Entry point of the runt binary (bundled to dist/runt.js; bin/runt runs it).

import { parse, execute } from './cli/program'
import { reportFailure, startLogging } from './cli/report'

async function main(argv: string[]): Promise<number> {
  let call = null
  try {
    call = parse(argv)
    if (call === null) return 0
    startLogging(call.globals)
    return await execute(call)
  } catch (err) {
    return reportFailure(err, call?.globals, argv)
  }
}

main(process.argv.slice(2)).then(
  code => { process.exitCode = code },
  err => { process.stderr.write(`runt: internal error: ${String(err?.stack ?? err)}\n`); process.exitCode = 1 },
)
