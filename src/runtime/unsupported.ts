// Fields of config.json that runt cannot honour yet. A runtime that silently skips
// part of a config runs a container other than the one asked for (without its seccomp
// filter, say), so each of these is refused with the field's pointer, as runc refuses
// what its build or host cannot do ("seccomp: config provided but seccomp not supported").

import { existsSync } from 'node:fs'
import { ConfigError } from '../errors'
import type { Spec } from '../spec/types'

interface Unsupported {
  pointer: string
  present(spec: Spec): boolean
  why: string
}

const UNSUPPORTED: Unsupported[] = [
  { pointer: '/process/apparmorProfile', present: s => !!s.process?.apparmorProfile, why: 'AppArmor is not supported by runt yet (and is not enabled on this host)' },
  { pointer: '/process/selinuxLabel', present: s => !!s.process?.selinuxLabel, why: 'SELinux is not supported by runt yet (and is not enabled on this host)' },
  // As runc: with SELinux disabled a mount label has nothing to label, and is ignored
  // (only a process label is refused there). Where SELinux is enabled runt cannot apply it.
  { pointer: '/linux/mountLabel', present: s => !!s.linux?.mountLabel && selinuxEnabled(), why: 'SELinux is enabled on this host, and runt cannot apply SELinux labels yet' },
  // runc's wording: the spec requires an error where no resctrl filesystem is mounted
  { pointer: '/linux/intelRdt', present: s => s.linux?.intelRdt !== undefined, why: 'Intel RDT is not supported or enabled (runt has no resctrl support)' },
]

/** SELinux is enabled when its filesystem is mounted (what libselinux checks first). */
function selinuxEnabled(): boolean {
  return existsSync('/sys/fs/selinux/enforce')
}

/** Throw a ConfigError listing every field of spec that runt cannot honour. */
export function refuseUnsupported(spec: Spec): void {
  const problems = UNSUPPORTED.filter(u => u.present(spec)).map(u => `${u.pointer}: ${u.why}`)
  if (problems.length > 0) throw new ConfigError(problems)
}
