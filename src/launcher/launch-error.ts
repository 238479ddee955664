// The error of a failed launch: which step of the executor failed, with the errno and
// the path it names, in one line a user can act on.

import { RuntError } from '../errors'
import { native } from '../sys/native'
import { RLIMITS } from '../spec/linux-names'
import type { LaunchPlan } from '../plan/types'

// node's os module only at a failure that needs its constants: loading it costs half a
// millisecond, and exec-fifo.ts brings this module into every start
// eslint-disable-next-line @typescript-eslint/no-require-imports
const osConstants = () => (require('node:os') as typeof import('node:os')).constants

let errnoNames: Map<number, string> | undefined

export function errnoName(errno: number): string {
  errnoNames ??= new Map<number, string>(Object.entries(osConstants().errno).map(([name, n]) => [n, name]))
  return errnoNames.get(errno) ?? `errno ${errno}`
}

/** "no such file or directory": the C library's text, lower-cased as Go prints it */
function errnoText(errno: number): string {
  const text = native().strerror(errno)
  return text.charAt(0).toLowerCase() + text.slice(1)
}

export class LaunchError extends RuntError {
  /** the executor's step, e.g. "mount", "pivot_root", "exec" */
  readonly step: string

  constructor(message: string, facts: { step: string; errno: string; path?: string }) {
    super(message, { errno: facts.errno || undefined, path: facts.path || undefined })
    this.step = facts.step
  }
}

const SCHED_FIFO = 1
const SCHED_RR = 2

const RLIMIT_NAMES = new Map(Object.entries(RLIMITS).map(([name, n]) => [n, name]))

type PlanFacts = Pick<LaunchPlan, 'args' | 'rlimits' | 'oomScoreAdj' | 'scheduler'>

/**
 * An ERROR payload (u64 errno, then step, path and detail, each NUL-terminated) as the
 * error it describes; null when it is too short to hold an errno.
 */
export function launchErrorFromPayload(payload: Buffer, plan: PlanFacts): LaunchError | null {
  if (payload.length < 8) return null
  const errno = Number(payload.readBigUInt64LE(0))
  const strings = payload.subarray(8).toString('utf8').split('\0')
  return launchErrorFromFrame(errno, strings[0] ?? '', strings[1] ?? '', plan, strings[2] ?? '')
}

/** "SIGKILL" for 9: looked up only when a hook was killed, not at every start-up */
function signalName(n: number): string | undefined {
  return Object.entries(osConstants().signals).find(([, v]) => v === n)?.[0]
}

/**
 * A container hook's failure, worded as the runtime's own hooks word theirs
 * (src/hooks/run.ts): "createContainer hook /x failed: exit status 1: <stderr>".
 */
function hookError(step: string, path: string, errno: number, detail: string, facts: { step: string; errno: string; path: string }): LaunchError {
  const prefix = `${step} ${path}`
  if (errno === osConstants().errno.ETIMEDOUT) return new LaunchError(`${prefix} ${detail}`, facts)
  if (detail === 'cannot execute') return new LaunchError(`${prefix} failed: cannot execute: ${errnoName(errno)}`, facts)
  const named = detail.replace(/^killed by signal (\d+)/, (_, n: string) => `killed by signal ${signalName(Number(n)) ?? n}`)
  if (errno === 0) return new LaunchError(`${prefix} failed: ${named}`, { ...facts, errno: '' })
  return new LaunchError(`${prefix} failed: ${named ? `${named}: ` : ''}${errnoText(errno)} (${errnoName(errno)})`, facts)
}

/** The error the executor reported in an ERROR frame, explained with the plan's values. */
export function launchErrorFromFrame(errno: number, step: string, path: string, plan: PlanFacts, detail = ''): LaunchError {
  const name = errnoName(errno)
  const facts = { step, errno: name, path }
  if (step.endsWith(' hook')) return hookError(step, path, errno, detail, facts)
  const arg0 = plan.args[0] ?? ''
  const denied = errno === osConstants().errno.EPERM || errno === osConstants().errno.EACCES
  if (step === 'setrlimit') {
    // runc: "error setting rlimit type 7: operation not permitted"
    const rl = plan.rlimits.find(r => String(r.resource) === path)
    const what = rl ? ` (${RLIMIT_NAMES.get(rl.resource) ?? '?'}, soft ${rl.soft}, hard ${rl.hard})` : ''
    const hint = denied ? '; raising a hard limit needs CAP_SYS_RESOURCE, which this runtime does not have' : ''
    return new LaunchError(`error setting rlimit type ${path}${what}: ${errnoText(errno)} (${name})${hint}`, facts)
  }
  if (step === 'oom_score_adj' && plan.oomScoreAdj !== null) {
    const hint = denied ? '; lowering oom_score_adj needs CAP_SYS_RESOURCE, which this runtime does not have' : ''
    return new LaunchError(`error setting oom_score_adj to ${plan.oomScoreAdj}: ${errnoText(errno)} (${name})${hint}`, facts)
  }
  if (step === 'sched_setattr' && denied && (plan.scheduler?.policy === SCHED_FIFO || plan.scheduler?.policy === SCHED_RR)) {
    // with RT group scheduling a new cpu cgroup has no real-time time at all
    return new LaunchError(`${step} ${path}: ${errnoText(errno)} (${name}); a real-time policy needs real-time CPU time ` +
      'in the container\'s cpu cgroup: set /linux/resources/cpu/realtimeRuntime', facts)
  }
  if (step === 'exec') {
    // runc's texts, which podman and CRI-O classify (127 for not found, 126 for denied)
    if (errno === osConstants().errno.ENOENT && !arg0.includes('/')) {
      return new LaunchError(`exec: "${arg0}": executable file not found in $PATH`, facts)
    }
    return new LaunchError(`exec: "${arg0}": ${errnoText(errno)}`, facts)
  }
  return new LaunchError(`${step}${path ? ` ${path}` : ''}${detail ? ` (${detail})` : ''}: ${errnoText(errno)} (${name})`, facts)
}
