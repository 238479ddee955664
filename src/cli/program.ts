// The command line: runc's global flags and commands, parsed with commander from the
// table in commands.ts. Each action loads its command module only when it runs.

import { Command, CommanderError, Option } from 'commander'
import { RuntError, UsageError } from '../errors'
import { normalizeArgs, type FlagTable } from './argv'
import { COMMANDS, GLOBAL_FLAGS, flagTable, type CommandDef, type FlagDef } from './commands'
import { resolveGlobals, type GlobalOptions } from './context'

declare const RUNT_VERSION: string
declare const RUNT_COMMIT: string

export type Action = (globals: GlobalOptions, args: string[], opts: Record<string, unknown>) => number | Promise<number>

/** Loads a command's implementation; kept as one switch so the bundle stays lazy. */
function loadAction(name: string): Action {
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

export function versionText(): string {
  const version = typeof RUNT_VERSION === 'string' ? RUNT_VERSION : 'dev'
  const commit = typeof RUNT_COMMIT === 'string' ? RUNT_COMMIT : 'unknown'
  return `runt version ${version}\ncommit: ${commit}\nspec: 1.3.0\n`
}

function addFlag(cmd: Command, def: FlagDef): void {
  const opt = new Option(def.flags, def.help)
  if (def.hidden) opt.hideHelp()
  if (def.repeat) opt.argParser((value: string, prev: string[] | undefined) => [...(prev ?? []), value]).default([])
  else if (def.default !== undefined) opt.default(def.default)
  cmd.addOption(opt)
}

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

export interface ParsedCall {
  globals: GlobalOptions
  command: string
  args: string[]
  opts: Record<string, unknown>
}

/** Parse a command line into the call to make; prints help/version itself (returns null then). */
export function parse(argv: readonly string[], out: (s: string) => void = s => process.stdout.write(s)): ParsedCall | null {
  let call: ParsedCall | null = null
  const program = new Command('runt')
    .description('runt is a command line client for running applications packaged according to the Open Container Initiative (OCI) runtime specification')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: () => {} })
    .helpOption('-h, --help', 'show help')
    .option('-v, --version', 'print the version')
  for (const def of GLOBAL_FLAGS) addFlag(program, def)

  for (const def of COMMANDS) program.addCommand(commandFor(def, out, (command, args, opts) => {
    call = { globals: resolveGlobals(program.opts()), command, args, opts }
  }))
  program.action(() => {
    if (program.opts().version) out(versionText())
    else out(program.helpInformation())
  })

  try {
    program.parse(normalizeArgv(argv), { from: 'user' })
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return null
      throw new UsageError(err.message.replace(/^error: /, ''))
    }
    throw err
  }
  return call
}

function commandFor(
  def: CommandDef,
  out: (s: string) => void,
  onAction: (command: string, args: string[], opts: Record<string, unknown>) => void,
): Command {
  const cmd = new Command(def.name).description(def.summary).exitOverride().configureOutput({ writeOut: out, writeErr: () => {} })
  if (def.args) cmd.arguments(def.args)
  if (def.passThrough) cmd.passThroughOptions()
  for (const f of def.flags) addFlag(cmd, f)
  cmd.action((...params: unknown[]) => {
    // commander passes the declared arguments, then the options object, then the command
    const positional = params.slice(0, -2).flatMap(p => (p === undefined ? [] : Array.isArray(p) ? p.map(String) : [String(p)]))
    onAction(def.name, positional, cmd.opts())
  })
  return cmd
}

/** Run a parsed call. */
export async function execute(call: ParsedCall): Promise<number> {
  const action = loadAction(call.command)
  return await action(call.globals, call.args, call.opts)
}

export { RuntError }
