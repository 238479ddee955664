// Fields of config.json that runt cannot honour yet. A runtime that silently skips
// part of a config runs a container other than the one asked for (without its seccomp
// filter, say), so each of these is refused with the field's pointer, as runc refuses
// what its build or host cannot do ("seccomp: config provided but seccomp not supported").

import { ConfigError } from '../errors'
import type { Spec } from '../spec/types'

interface Unsupported {
  pointer: string
  present(spec: Spec): boolean
  why: string
}

const UNSUPPORTED: Unsupported[] = [
  // runc's wording: the spec requires an error where no resctrl filesystem is mounted
  { pointer: '/linux/intelRdt', present: s => s.linux?.intelRdt !== undefined, why: 'Intel RDT is not supported or enabled (runt has no resctrl support)' },
]

/** Throw a ConfigError listing every field of spec that runt cannot honour. */
export function refuseUnsupported(spec: Spec): void {
  const problems = UNSUPPORTED.filter(u => u.present(spec)).map(u => `${u.pointer}: ${u.why}`)
  if (problems.length > 0) throw new ConfigError(problems)
}
