// The whole runt binary (bundled to dist/runt-main.js; dist/runt.js loads it): every
// command, each loaded when it runs.

import { parse, loadAction } from './cli/program'
import { exitWhenDone, runCall } from './cli/run-call'

exitWhenDone(runCall(process.argv.slice(2), argv => parse(argv), loadAction))
