// The common command lines parsed without commander, which costs milliseconds to load
// and set up at every start. Only a line whose meaning is certain is taken here: plain
// flags of the command table, the right number of arguments, no help, no `--`, no
// variadic or pass-through command. Anything else returns undefined and goes to
// commander (commander-parse.ts), which also words every usage error. For what it takes,
// the result is exactly commander's (test/unit/cli-parse.test.ts compares the two).

import { COMMANDS, GLOBAL_FLAGS, flagSyntax, type CommandDef, type FlagDef } from './commands'
import { resolveGlobals } from './context'
import type { ParsedCall } from './program'

interface Flag {
  short?: string
  long: string
  /** the key in commander's opts(): camelCase, without a leading no- */
  key: string
  takesValue: boolean
  negate: boolean
  repeat: boolean
  default?: unknown
}

function flagOf(def: FlagDef): Flag {
  const { short, long, takesValue } = flagSyntax(def)
  const negate = long.startsWith('no-')
  const key = camelCase(negate ? long.slice(3) : long)
  return { short, long, key, takesValue, negate, repeat: def.repeat === true, default: def.default }
}

/** commander's option key: "preserve-fds" is preserveFds */
function camelCase(name: string): string {
  return name.split('-').map((part, i) => (i === 0 ? part : part.charAt(0).toUpperCase() + part.slice(1))).join('')
}

/** commander's starting values: defaults, [] for repeatable flags, true for --no-x */
function initialValues(flags: Flag[]): Record<string, unknown> {
  const opts: Record<string, unknown> = {}
  for (const f of flags) {
    if (f.negate) opts[f.key] = true
    else if (f.repeat) opts[f.key] = []
    else if (f.default !== undefined) opts[f.key] = f.default
  }
  return opts
}

/**
 * Read the flag at argv[i] into opts; the index of the last word it used, or -1 when the
 * word is not a plain known flag (then the line is commander's).
 */
function readFlag(argv: readonly string[], i: number, flags: Flag[], opts: Record<string, unknown>): number {
  const word = argv[i]
  let name: string
  let inline: string | undefined
  let flag: Flag | undefined
  if (word.startsWith('--')) {
    const eq = word.indexOf('=')
    name = eq < 0 ? word.slice(2) : word.slice(2, eq)
    inline = eq < 0 ? undefined : word.slice(eq + 1)
    flag = flags.find(f => f.long === name)
  } else if (/^-[A-Za-z]$/.test(word)) {
    flag = flags.find(f => f.short === word[1])
  }
  if (flag === undefined) return -1
  if (!flag.takesValue) {
    if (inline !== undefined) return -1
    opts[flag.key] = !flag.negate
    return i
  }
  let value = inline
  if (value === undefined) {
    if (i + 1 >= argv.length) return -1
    value = argv[++i]
  }
  opts[flag.key] = flag.repeat ? [...(opts[flag.key] as string[]), value] : value
  return i
}

/** How many arguments a command takes: [required, at most]; undefined for a variadic one. */
function arity(def: CommandDef): [number, number] | undefined {
  const words = def.args.split(' ').filter(Boolean)
  if (words.some(w => w.includes('...'))) return undefined
  return [words.filter(w => w.startsWith('<')).length, words.length]
}

const GLOBALS: Flag[] = GLOBAL_FLAGS.map(flagOf)

/** The call for a normalized command line (normalizeArgv), or undefined for commander to parse. */
export function quickParse(argv: readonly string[]): ParsedCall | undefined {
  const rawGlobals = initialValues(GLOBALS)
  let i = 0
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    i = readFlag(argv, i, GLOBALS, rawGlobals)
    if (i < 0) return undefined
  }
  const def = COMMANDS.find(c => c.name === argv[i])
  if (def === undefined || def.passThrough) return undefined
  const counts = arity(def)
  if (counts === undefined) return undefined
  const flags = def.flags.map(flagOf)
  const opts = initialValues(flags)
  const args: string[] = []
  for (i++; i < argv.length; i++) {
    if (!argv[i].startsWith('-')) args.push(argv[i])
    else if ((i = readFlag(argv, i, flags, opts)) < 0) return undefined
  }
  if (args.length < counts[0] || args.length > counts[1]) return undefined
  return { globals: resolveGlobals(rawGlobals), command: def.name, args, opts }
}
