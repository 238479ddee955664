// The command line through commander, built from the table in commands.ts: every line
// quick-parse.ts does not take (help, version, exec and ps, anything unusual), and the
// wording of usage errors. Loaded only when such a line comes.

import { Command, CommanderError, Option } from 'commander'
import { UsageError } from '../errors'
import { COMMANDS, GLOBAL_FLAGS, type CommandDef, type FlagDef } from './commands'
import { resolveGlobals } from './context'
import type { ParsedCall } from './program'
import { versionText } from './version'

function addFlag(cmd: Command, def: FlagDef): void {
  const opt = new Option(def.flags, def.help)
  if (def.hidden) opt.hideHelp()
  if (def.repeat) opt.argParser((value: string, prev: string[] | undefined) => [...(prev ?? []), value]).default([])
  else if (def.default !== undefined) opt.default(def.default)
  cmd.addOption(opt)
}

/** Parse a normalized command line with commander; prints help/version itself (returns null then). */
export function parseWithCommander(argv: readonly string[], out: (s: string) => void): ParsedCall | null {
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
    program.parse(argv, { from: 'user' })
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
