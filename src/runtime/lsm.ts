// AppArmor and SELinux labels (process.apparmorProfile, process.selinuxLabel,
// linux.mountLabel): the executor applies them (native/exec/lsm.c, mount data for the
// mount label); here, whether this host can, decided before anything is created.
//
// runc on a host without the LSM: an SELinux process label is refused at validation
// ("selinux label is specified in config, but selinux is disabled or not supported");
// an AppArmor profile fails in the container's init, writing attr/exec (EINVAL). runt
// refuses both up front, by pointer, with the reason. A mount label is ignored while
// SELinux is disabled (plan/mount-label.ts), as runc's go-selinux does.

import { ConfigError } from '../errors'
import type { Process, Spec } from '../spec/types'
import { HOST_LSM, type LsmHost } from '../sys/lsm-host'

export { HOST_LSM, type LsmHost }

/** The labels of spec this host cannot apply, one problem line each. */
export function lsmProblems(spec: Pick<Spec, 'process' | 'linux'>, host: LsmHost, at = '/process'): string[] {
  const problems: string[] = []
  const p: Process | undefined = spec.process
  if (p?.apparmorProfile && !host.apparmor()) {
    problems.push(`${at}/apparmorProfile: apparmor profile ${JSON.stringify(p.apparmorProfile)} cannot be applied: AppArmor is not enabled on this host`)
  }
  if (p?.selinuxLabel && !host.selinux()) {
    problems.push(`${at}/selinuxLabel: selinux label is specified in config, but selinux is disabled or not supported`)
  }
  return problems
}

/** Throw a ConfigError naming every label of spec this host cannot apply. */
export function refuseUnavailableLsm(spec: Pick<Spec, 'process' | 'linux'>, host: LsmHost = HOST_LSM, at = '/process'): void {
  const problems = lsmProblems(spec, host, at)
  if (problems.length > 0) throw new ConfigError(problems)
}
