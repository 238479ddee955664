// linux.seccomp -> the plan's filter: the rules checked and translated (profile.ts), the
// flags checked against this kernel, and the BPF program compiled by libseccomp through
// the addon. Syscall names libseccomp cannot resolve are skipped, as libseccomp-based
// runtimes do, with a debug line.

import { ConfigError, SystemError } from '../errors'
import { log } from '../log'
import type { SeccompPlan } from '../plan/types'
import type { Seccomp } from '../spec/types'
import { native } from '../sys/native'
import { FLAGS, FLAG_NEW_LISTENER, seccompRules, type SeccompRules } from './profile'

/** Whether this kernel's seccomp(2) takes the flag (WAIT_KILLABLE_RECV only together with a listener). */
export function flagSupported(flag: number): boolean {
  const probe = flag === FLAGS.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ? flag | FLAG_NEW_LISTENER : flag
  return native().seccompFlagSupported(probe)
}

export function compileSeccomp(s: Seccomp): SeccompPlan {
  const rules = seccompRules(s)
  refuseUnsupportedFlags(s)
  const compiled = compileRules(rules)
  const unknown = [...new Set(compiled.unknown)]
  if (unknown.length > 0) log().debug(`seccomp: skipping syscalls unknown to libseccomp: ${unknown.join(', ')}`)
  return { filter: compiled.bpf, flags: rules.flags }
}

function refuseUnsupportedFlags(s: Seccomp): void {
  const missing = (s.flags ?? []).filter(name => !flagSupported(FLAGS[name]))
  if (missing.length > 0) {
    throw new ConfigError(missing.map(name => `/linux/seccomp/flags: ${name} is not supported by this kernel`))
  }
}

function compileRules(rules: SeccompRules): { bpf: Buffer; unknown: string[] } {
  try {
    return native().seccompCompile(rules)
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    throw new SystemError(`seccomp: ${e.message}`, { errno: typeof e.code === 'string' ? e.code : undefined, cause: err })
  }
}
