// Typed views of the option objects commander hands to the commands.

import { UsageError } from '../errors'

export function nonNegativeInt(value: unknown, flag: string): number {
  const s = String(value ?? '0')
  if (!/^\d+$/.test(s)) throw new UsageError(`${flag}: "${s}" is not a non-negative integer`)
  return Number(s)
}

/** The flags create and run share. */
export function createFlags(opts: Record<string, unknown>) {
  return {
    bundle: String(opts.bundle ?? ''),
    pidFile: opts.pidFile === undefined ? undefined : String(opts.pidFile),
    consoleSocket: opts.consoleSocket === undefined ? undefined : String(opts.consoleSocket),
    noPivot: opts.pivot === false, // commander turns --no-pivot into pivot=false
    noNewKeyring: opts.newKeyring === false,
    preserveFds: nonNegativeInt(opts.preserveFds, '--preserve-fds'),
  }
}
