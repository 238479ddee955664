// How a failed command reaches the user: one line on stderr, and the same message as
// one error entry in the --log file (JSON objects only with --log-format json).

import { RuntError } from '../errors'
import type { GlobalOptions } from './context'

export function reportFailure(err: unknown, _globals: GlobalOptions | undefined, _argv: readonly string[]): number {
  const message = err instanceof Error ? err.message : String(err)
  process.stderr.write(`${message}\n`)
  return err instanceof RuntError ? err.exitCode : 1
}
