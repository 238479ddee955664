// How a failed command reaches the user: one line on stderr, and the same message as
// one error entry in the --log file (JSON objects only with --log-format json).

import { RuntError } from '../errors'
import { configureLogging, log, type Logger } from '../log'
import type { GlobalOptions } from './context'

/** Set up the process-wide logger from the global flags (before the command runs). */
export function startLogging(globals: Pick<GlobalOptions, 'log' | 'logFormat' | 'debug'>): Logger {
  return configureLogging({ logPath: globals.log, format: globals.logFormat, debug: globals.debug })
}

export function reportFailure(err: unknown, globals: GlobalOptions | undefined, argv: readonly string[]): number {
  let logger: Logger
  try {
    // the command line may not have parsed: still honour --log/--log-format if given
    logger = globals ? log() : startLogging(logFlagsFrom(argv))
  } catch {
    logger = configureLogging({ format: 'text', debug: false }) // the log file itself is unusable: stderr only
  }
  logger.fatal(err)
  logger.close()
  return err instanceof RuntError ? err.exitCode : 1
}

/** When the command line did not parse, still honour --log/--log-format if they were given. */
function logFlagsFrom(argv: readonly string[]): Pick<GlobalOptions, 'log' | 'logFormat' | 'debug'> {
  const value = (name: string): string | undefined => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === `--${name}` || a === `-${name}`) return argv[i + 1]
      if (a.startsWith(`--${name}=`) || a.startsWith(`-${name}=`)) return a.slice(a.indexOf('=') + 1)
    }
    return undefined
  }
  const format = value('log-format')
  return { log: value('log'), logFormat: format === 'json' ? 'json' : 'text', debug: argv.includes('--debug') }
}
