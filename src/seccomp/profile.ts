// linux.seccomp -> the rules libseccomp compiles (see native/addon/seccomp.cc), checked
// and translated here: numeric actions (SCMP_ACT_* of seccomp.h, errno folded in),
// numeric operators, libseccomp's architecture names, the seccomp(2) flags. Pure.

import { ConfigError } from '../errors'
import type { Seccomp, SeccompAction, SeccompFlag, SeccompOperator, SyscallArg } from '../spec/types'

/** seccomp.h's SCMP_ACT_*; ERRNO and TRACE carry 16 bits of data (the errno, the tracer's message) */
export const ACTIONS: Readonly<Record<SeccompAction, number>> = {
  SCMP_ACT_KILL: 0x00000000, // = KILL_THREAD
  SCMP_ACT_KILL_THREAD: 0x00000000,
  SCMP_ACT_KILL_PROCESS: 0x80000000,
  SCMP_ACT_TRAP: 0x00030000,
  SCMP_ACT_ERRNO: 0x00050000,
  SCMP_ACT_TRACE: 0x7ff00000,
  SCMP_ACT_LOG: 0x7ffc0000,
  SCMP_ACT_ALLOW: 0x7fff0000,
  SCMP_ACT_NOTIFY: 0x7fc00000,
}

/** seccomp.h's enum scmp_compare */
export const OPERATORS: Readonly<Record<SeccompOperator, number>> = {
  SCMP_CMP_NE: 1, SCMP_CMP_LT: 2, SCMP_CMP_LE: 3, SCMP_CMP_EQ: 4, SCMP_CMP_GE: 5, SCMP_CMP_GT: 6,
  SCMP_CMP_MASKED_EQ: 7,
}

/** linux/seccomp.h's SECCOMP_FILTER_FLAG_* that config.json may ask for */
export const FLAGS: Readonly<Record<SeccompFlag, number>> = {
  SECCOMP_FILTER_FLAG_TSYNC: 1,
  SECCOMP_FILTER_FLAG_LOG: 2,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: 4,
  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV: 32,
}
/** the flags runt adds itself: a listener for SCMP_ACT_NOTIFY (TSYNC_ESRCH lets it go with TSYNC) */
export const FLAG_NEW_LISTENER = 8
export const FLAG_TSYNC_ESRCH = 16

/** the architectures of the runtime-spec, as libseccomp 2.6 knows them */
export const ARCHITECTURES: readonly string[] = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K', 'SCMP_ARCH_SH', 'SCMP_ARCH_SHEB',
]

/** the data bits of SCMP_ACT_ERRNO / SCMP_ACT_TRACE */
const DATA_MAX = 0xffff
const EPERM = 1
const ARG_INDEX_MAX = 5 // a syscall has six arguments
const U64_MAX = (1n << 64n) - 1n

export interface ArgComparison {
  index: number
  op: number
  /** libseccomp's datum_a and datum_b: for MASKED_EQ the mask and the value */
  a: bigint
  b: bigint
}

export interface SeccompRule {
  name: string
  action: number
  /** all must hold (AND) */
  args: ArgComparison[]
}

export interface SeccompRules {
  defaultAction: number
  /** libseccomp names ("x86_64"); the native one is always in the filter */
  architectures: string[]
  rules: SeccompRule[]
  /** SECCOMP_FILTER_FLAG_* for seccomp(2), FLAG_NEW_LISTENER included when a rule notifies */
  flags: number
  /** whether the filter returns a listener fd for SCMP_ACT_NOTIFY */
  notify: boolean
}

const AT = '/linux/seccomp'

export function seccompRules(s: Seccomp): SeccompRules {
  const problems: string[] = []
  const defaultAction = action(s.defaultAction, s.defaultErrnoRet, `${AT}/defaultErrnoRet`, problems)
  if (s.defaultAction === 'SCMP_ACT_NOTIFY') {
    problems.push(`${AT}/defaultAction: SCMP_ACT_NOTIFY cannot be the default action (the runtime itself must make syscalls after the filter is in place)`)
  }
  const rules: SeccompRule[] = []
  let notify = false
  ;(s.syscalls ?? []).forEach((sc, i) => {
    const at = `${AT}/syscalls/${i}`
    const act = action(sc.action, sc.errnoRet, `${at}/errnoRet`, problems)
    if (sc.action === 'SCMP_ACT_NOTIFY') {
      notify = true
      // runt hands the listener over with sendmsg(2) after the filter is in place
      if (sc.names.includes('sendmsg')) problems.push(`${at}/names: SCMP_ACT_NOTIFY cannot be used for sendmsg (runt sends the listener fd with it)`)
    }
    const args = (sc.args ?? []).map((a, j) => comparison(a, `${at}/args/${j}`, problems))
    // libseccomp refuses a rule with the default action; the default does it anyway
    if (act === defaultAction) return
    for (const name of sc.names) {
      for (const group of argGroups(args)) rules.push({ name, action: act, args: group })
    }
  })
  if (notify && !s.listenerPath) problems.push(`${AT}/listenerPath: required when an action is SCMP_ACT_NOTIFY`)
  if (s.listenerMetadata !== undefined && !s.listenerPath) problems.push(`${AT}/listenerMetadata: must not be set without listenerPath`)
  const flags = filterFlags(s.flags ?? [], notify, problems)
  if (problems.length > 0) throw new ConfigError(problems)
  return {
    defaultAction,
    architectures: (s.architectures ?? []).map(libseccompArch),
    rules,
    flags,
    notify,
  }
}

/** SCMP_ARCH_X86_64 -> x86_64, the name seccomp_arch_resolve_name() takes */
export function libseccompArch(name: string): string {
  return name.replace(/^SCMP_ARCH_/, '').toLowerCase()
}

function action(name: SeccompAction, errnoRet: number | undefined, at: string, problems: string[]): number {
  const base = ACTIONS[name]
  if (name !== 'SCMP_ACT_ERRNO' && name !== 'SCMP_ACT_TRACE') {
    if (errnoRet !== undefined) problems.push(`${at}: ${name} takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)`)
    return base
  }
  const data = errnoRet ?? EPERM
  if (!Number.isInteger(data) || data < 0 || data > DATA_MAX) {
    problems.push(`${at}: ${data} does not fit the 16 bits seccomp returns`)
    return base
  }
  return (base | data) >>> 0
}

function comparison(arg: SyscallArg, at: string, problems: string[]): ArgComparison {
  if (arg.index > ARG_INDEX_MAX) problems.push(`${at}/index: ${arg.index} is not an argument (a syscall has six, 0 to 5)`)
  return { index: arg.index, op: OPERATORS[arg.op], a: u64(arg.value), b: u64(arg.valueTwo ?? 0) }
}

/** JSON numbers past 2^53 arrive rounded; 2^64-1 rounds up to 2^64 */
function u64(v: number | bigint): bigint {
  const b = typeof v === 'bigint' ? v : BigInt(Math.trunc(v))
  return b > U64_MAX ? U64_MAX : b < 0n ? 0n : b
}

/**
 * The comparisons of one syscall entry: one rule with all of them (AND), unless an
 * argument index repeats, which libseccomp cannot express in one rule: then each
 * comparison is a rule of its own (OR), as runc and Docker's profile expect.
 */
function argGroups(args: ArgComparison[]): ArgComparison[][] {
  if (args.length === 0) return [[]]
  const indexes = new Set(args.map(a => a.index))
  return indexes.size === args.length ? [args] : args.map(a => [a])
}

function filterFlags(names: readonly SeccompFlag[], notify: boolean, problems: string[]): number {
  let flags = notify ? FLAG_NEW_LISTENER : 0
  for (const name of names) flags |= FLAGS[name]
  if (flags & FLAGS.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV && !notify) {
    problems.push(`${AT}/flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule (the kernel refuses it without a listener)`)
  }
  if (flags & FLAGS.SECCOMP_FILTER_FLAG_TSYNC && notify) flags |= FLAG_TSYNC_ESRCH
  return flags
}
