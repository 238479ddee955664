// Normalises runc-style command lines into the shape commander parses.
//
// runc (urfave/cli v1, Go's flag package) accepts single-dash long flags
// (`-no-subreaper`, `-root /x`) and boolean flags written `--detach=true`.
// Clients use these forms (containerd's shim passes `-no-subreaper`), so we
// rewrite them to `--name` before parsing. Pure: tested in test/unit/argv.test.ts.

export interface FlagTable {
  /** long option names (without dashes) that take no value */
  booleans: ReadonlySet<string>
  /** option names (without dashes, long or one-letter) that take a value */
  valued: ReadonlySet<string>
}

/**
 * Rewrite the flags of one command line. Stops at `--` and, when `stopAtPositional`
 * is set (exec, ps), at the first positional argument after which everything is
 * the command's own arguments.
 */
export function normalizeArgs(args: readonly string[], flags: FlagTable, stopAtPositional = false): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (arg === '--') {
      out.push(...args.slice(i))
      break
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.push(arg)
      if (stopAtPositional) {
        out.push(...args.slice(i + 1))
        break
      }
      continue
    }
    const rewritten = rewriteFlag(arg, flags)
    if (rewritten === null) continue // `--flag=false` for a boolean: the default already
    out.push(rewritten)
    // a valued flag written as two words keeps its value untouched, even if it starts with "-"
    const name = flagName(rewritten)
    if (name !== null && flags.valued.has(name) && !rewritten.includes('=') && i + 1 < args.length) {
      out.push(args[++i])
    }
  }
  return out
}

function flagName(arg: string): string | null {
  if (/^-[A-Za-z]$/.test(arg)) return arg.slice(1) // a lone short flag: `-u 1000`
  if (!arg.startsWith('--')) return null
  const eq = arg.indexOf('=')
  return eq < 0 ? arg.slice(2) : arg.slice(2, eq)
}

function rewriteFlag(arg: string, flags: FlagTable): string | null {
  let long = arg
  if (!arg.startsWith('--')) {
    // `-name` or `-name=value` where name is a known long flag (more than one letter)
    const body = arg.slice(1)
    const name = body.split('=', 1)[0]
    if (name.length > 1 && (flags.booleans.has(name) || flags.valued.has(name))) long = `-${arg}`
    else return arg // short flag(s): commander handles them
  }
  const eq = long.indexOf('=')
  if (eq > 0) {
    const name = long.slice(2, eq)
    const value = long.slice(eq + 1)
    if (flags.booleans.has(name)) {
      if (/^(true|1|t|TRUE|True|T)$/.test(value)) return `--${name}`
      if (/^(false|0|f|FALSE|False|F)$/.test(value)) return null
    }
  }
  return long
}
