// A runt command line split into its global flags and its command, each part with
// runc's spellings rewritten (argv.ts) into the one form both parsers read
// (quick-parse.ts, commander-parse.ts).

import { normalizeArgs, type FlagTable } from './argv'
import { COMMANDS, GLOBAL_FLAGS, flagTable } from './commands'

const GLOBAL_TABLE: FlagTable = flagTable([...GLOBAL_FLAGS, { flags: '-v, --version', help: '' }, { flags: '-h, --help', help: '' }])

/**
 * Split argv into the global flags and the command line, and rewrite runc's spellings
 * in each part. Global flags must precede the command, as in runc.
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  let i = 0
  while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') {
    const name = argv[i].replace(/^--?/, '').split('=', 1)[0]
    i += GLOBAL_TABLE.valued.has(name) && !argv[i].includes('=') ? 2 : 1
  }
  const globals = normalizeArgs(argv.slice(0, i), GLOBAL_TABLE)
  const [command, ...rest] = argv.slice(i)
  if (command === undefined) return globals
  const def = COMMANDS.find(c => c.name === command)
  if (!def) return [...globals, command, ...rest]
  const table = flagTable([...def.flags, { flags: '-h, --help', help: '' }])
  return [...globals, command, ...normalizeArgs(rest, table, def.passThrough === true)]
}
