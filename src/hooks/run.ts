// Running runtime-spec hooks (config.md "POSIX-platform Hooks"). Each hook is one
// program run to completion before the next: argv from `args`, the environment exactly
// as `env` lists it (nothing inherited, as runc does), the OCI state JSON on stdin, and
// a deadline of `timeout` seconds after which it is SIGKILLed. This module runs hooks
// in the caller's own namespaces; where a hook must run is the caller's decision.

import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { RuntError } from '../errors'
import type { Hook } from '../spec/types'
import { hookStateJson, type HookState } from './state'

export type { HookState } from './state'
export { hookStateJson, stateForHooks } from './state'

export type HookPhase = 'prestart' | 'createRuntime' | 'createContainer' | 'startContainer' | 'poststart' | 'poststop'

export interface HookOptions {
  /** working directory of the hook; the caller's own when absent */
  cwd?: string
}

export interface HookFailure {
  phase: HookPhase
  /** container id */
  id: string
  path: string
  stdout: string
  stderr: string
  /** exit status, when the hook exited */
  status?: number
  /** e.g. "SIGSEGV", when a signal ended it */
  signal?: string
  timedOut?: boolean
  /** why it could not be started, e.g. "ENOENT" */
  errno?: string
  cause?: unknown
}

/** A hook failed; the message is one line, the hook's full output stays on the object for the log. */
export class HookError extends RuntError {
  readonly phase: HookPhase
  readonly stdout: string
  readonly stderr: string
  readonly status?: number
  readonly signal?: string
  readonly timedOut: boolean

  constructor(message: string, f: HookFailure) {
    super(message, { id: f.id, path: f.path, errno: f.errno, cause: f.cause })
    this.phase = f.phase
    this.stdout = f.stdout
    this.stderr = f.stderr
    this.status = f.status
    this.signal = f.signal
    this.timedOut = f.timedOut ?? false
  }
}

// Output beyond this is not worth keeping; a hook that writes more is killed and fails.
const MAX_OUTPUT = 16 * 1024 * 1024
const MAX_STDERR_IN_MESSAGE = 200

/** Run every hook of a phase in order. Throws HookError on the first failure; later hooks do not run. */
export function runHooks(phase: HookPhase, hooks: readonly Hook[] | undefined, state: HookState, opts: HookOptions = {}): void {
  const input = hookStateJson(state)
  for (const hook of hooks ?? []) {
    const failure = runHook(phase, hook, input, state.id, opts)
    if (failure) throw failure
  }
}

/** Run every hook of a phase, all of them whatever fails (poststop); returns one warning line per failure. */
export function runHooksWarnOnly(phase: HookPhase, hooks: readonly Hook[] | undefined, state: HookState, opts: HookOptions = {}): string[] {
  const input = hookStateJson(state)
  return (hooks ?? []).flatMap(hook => runHook(phase, hook, input, state.id, opts)?.message ?? [])
}

/** Run one hook; null when it succeeded. */
function runHook(phase: HookPhase, hook: Hook, input: string, id: string, opts: HookOptions): HookError | null {
  // Like Go's exec.Cmd (runc): argv is `args` when given, else just the path.
  const argv = hook.args !== undefined && hook.args.length > 0 ? hook.args : [hook.path]
  const timeout = hook.timeout !== undefined && hook.timeout > 0 ? hook.timeout : undefined
  const prefix = `${phase} hook ${hook.path}`
  let r: SpawnSyncReturns<Buffer>
  try {
    r = spawnSync(hook.path, argv.slice(1), {
      argv0: argv[0],
      env: environment(hook.env),
      input,
      cwd: opts.cwd,
      stdio: 'pipe',
      timeout: timeout === undefined ? undefined : timeout * 1000,
      killSignal: 'SIGKILL',
      maxBuffer: MAX_OUTPUT,
    })
  } catch (err) {
    // Node throws (rather than returns) for values it cannot pass to execve, e.g. a NUL byte.
    const code = (err as NodeJS.ErrnoException).code
    return new HookError(`${prefix} failed: ${oneLine(String((err as Error).message ?? err))}`, {
      phase, id, path: hook.path, stdout: '', stderr: '', errno: code, cause: err,
    })
  }

  const stdout = r.stdout?.toString() ?? ''
  const stderr = r.stderr?.toString() ?? ''
  const facts = { phase, id, path: hook.path, stdout, stderr }
  const code = (r.error as NodeJS.ErrnoException | undefined)?.code

  if (code === 'ETIMEDOUT') {
    return new HookError(`${prefix} timed out after ${timeout}s`, { ...facts, signal: 'SIGKILL', timedOut: true })
  }
  if (code === 'ENOBUFS') {
    return new HookError(`${prefix} failed: killed after writing more than ${MAX_OUTPUT} bytes of output`, { ...facts, signal: 'SIGKILL' })
  }
  if (r.status === null && r.signal === null) {
    // It never ran: the kernel refused the exec (ENOENT, EACCES, ENOEXEC, ...).
    return new HookError(`${prefix} failed: cannot execute: ${code ?? r.error?.message}`, { ...facts, errno: code, cause: r.error })
  }
  // Any other error (EPIPE: the hook did not read all of its stdin) is not a failure;
  // runc ignores it too. What counts is how the hook ended.
  const tail = lastLine(stderr)
  const detail = tail ? `: ${tail}` : ''
  if (r.signal !== null) {
    return new HookError(`${prefix} failed: killed by signal ${r.signal}${detail}`, { ...facts, signal: r.signal })
  }
  if (r.status !== null && r.status !== 0) {
    return new HookError(`${prefix} failed: exit status ${r.status}${detail}`, { ...facts, status: r.status })
  }
  return null
}

/** KEY=VALUE entries as the object spawn wants; a later duplicate wins, an entry without '=' cannot be passed. */
function environment(env: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = Object.create(null)
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=')
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1)
  }
  return out
}

/** The last non-blank line of a hook's stderr, shortened for a one-line message. */
function lastLine(text: string): string {
  const lines = text.split('\n').map(l => l.trim()).filter(l => l !== '')
  return oneLine(lines.at(-1) ?? '')
}

function oneLine(text: string): string {
  const flat = text.replace(/[\r\n\t]+/g, ' ').trim()
  return flat.length > MAX_STDERR_IN_MESSAGE ? flat.slice(0, MAX_STDERR_IN_MESSAGE) : flat
}
