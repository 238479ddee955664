// runt exec [flags] <id> <command...> | runt exec -p process.json <id>: run a new
// process in a created or running container. Detached, runt returns once the process
// runs (after --pid-file); in the foreground it relays the terminal or leaves its own
// stdio to the process, forwards signals and returns the exit status (128+signal).
// Like runc, every failure of exec itself exits 255, so a caller can tell it from the
// status of a process that ran.

import { RuntError } from '../errors'
import type { GlobalOptions } from './context'
import { nonNegativeInt } from './flag-values'
import { processFromFlags } from '../plan/exec-plan'
import { loadProcess } from '../spec/validate'
import type { Process } from '../spec/types'
import { startExec } from '../runtime/exec-process'
import { parseSubCgroups } from '../runtime/exec-cgroups'
import { superviseForeground } from '../runtime/foreground'

const EXEC_FAILED = 255

export async function exec(g: GlobalOptions, [id, ...command]: string[], opts: Record<string, unknown>): Promise<number> {
  let started
  try {
    started = startExec(g, id, {
      process: configProcess => (typeof opts.process === 'string' ? loadProcess(opts.process) : fromFlags(configProcess, command, opts)),
      detach: opts.detach === true,
      consoleSocket: optional(opts.consoleSocket),
      pidfdSocket: optional(opts.pidfdSocket),
      pidFile: optional(opts.pidFile),
      preserveFds: nonNegativeInt(opts.preserveFds, '--preserve-fds'),
      subCgroups: parseSubCgroups(strings(opts.cgroup)),
      ignorePaused: opts.ignorePaused === true,
    })
  } catch (err) {
    throw execFailed(err)
  }
  if (opts.detach === true) return 0
  return await superviseForeground(started.pid, started.master)
}

function fromFlags(configProcess: Process | undefined, command: string[], opts: Record<string, unknown>): Process {
  return processFromFlags(configProcess, {
    args: command,
    env: strings(opts.env),
    cwd: optional(opts.cwd),
    user: optional(opts.user),
    additionalGids: strings(opts.additionalGids),
    caps: strings(opts.cap),
    tty: opts.tty === true,
    noNewPrivs: opts.newPrivs === false, // commander turns --no-new-privs into newPrivs=false
    apparmor: optional(opts.apparmor),
    processLabel: optional(opts.processLabel),
  })
}

function optional(value: unknown): string | undefined {
  return value === undefined || value === '' ? undefined : String(value)
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : []
}

/** runc's "exec failed: ..." with status 255 */
function execFailed(err: unknown): RuntError {
  const e = err instanceof RuntError ? err : new RuntError(String((err as Error)?.message ?? err), { cause: err })
  e.message = `exec failed: ${e.message}`
  e.exitCode = EXEC_FAILED
  return e
}
