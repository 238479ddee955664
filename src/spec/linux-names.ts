// Linux names the runtime-spec uses by string, with their kernel numbers.
// One table each, shared by validation (is the name known?) and planning (its number).

/** CAP_* names in the kernel's numbering (include/uapi/linux/capability.h). */
export const CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN',
  'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
]

const CAPABILITY_NUMBERS = new Map(CAPABILITIES.map((name, i) => [name, i]))

/** The kernel number of a capability name, or undefined when unknown. */
export function capabilityNumber(name: string): number | undefined {
  return CAPABILITY_NUMBERS.get(name)
}

/**
 * The capability names of caps (any set) that this kernel lacks: known to the spec, but
 * numbered above /proc/sys/kernel/cap_last_cap. Sorted, each once.
 */
export function capabilitiesAbove(caps: Readonly<Record<string, readonly string[] | undefined>> | undefined, lastCap: number): string[] {
  const names = new Set<string>()
  for (const set of Object.values(caps ?? {})) {
    for (const name of set ?? []) {
      const n = capabilityNumber(name)
      if (n !== undefined && n > lastCap) names.add(name)
    }
  }
  return [...names].sort()
}

/** RLIMIT_* names with their numbers (include/uapi/asm-generic/resource.h). */
export const RLIMITS: Readonly<Record<string, number>> = {
  RLIMIT_CPU: 0, RLIMIT_FSIZE: 1, RLIMIT_DATA: 2, RLIMIT_STACK: 3, RLIMIT_CORE: 4, RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6, RLIMIT_NOFILE: 7, RLIMIT_MEMLOCK: 8, RLIMIT_AS: 9, RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11, RLIMIT_MSGQUEUE: 12, RLIMIT_NICE: 13, RLIMIT_RTPRIO: 14, RLIMIT_RTTIME: 15,
}

/** Namespace type names of config.json and their CLONE_NEW* flags. */
export const NAMESPACE_FLAGS: Readonly<Record<string, number>> = {
  mount: 0x00020000, // CLONE_NEWNS
  uts: 0x04000000,
  ipc: 0x08000000,
  user: 0x10000000,
  pid: 0x20000000,
  network: 0x40000000,
  cgroup: 0x02000000,
  time: 0x00000080,
}

/** The file name under /proc/<pid>/ns/ of each namespace type. */
export const NAMESPACE_PROC_NAMES: Readonly<Record<string, string>> = {
  mount: 'mnt', uts: 'uts', ipc: 'ipc', user: 'user', pid: 'pid', network: 'net', cgroup: 'cgroup', time: 'time',
}

/** Signal names (without SIG) and numbers on Linux x86_64/arm64. */
export const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11,
  USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21,
  TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
}
