// Typed surface of the native addon (build/Release/runt.node). Loaded on first use,
// so commands that need no system call beyond Node's own never pay for it.

import path from 'node:path'
import type { SeccompRules } from '../seccomp/profile'

export interface NativeAddon {
  /** flock(2): true when taken; false when `wait` is false and the lock is held elsewhere */
  flock(fd: number, exclusive: boolean, wait: boolean): boolean
  /** mkfifo(3) */
  mkfifo(path: string, mode: number): void

  /**
   * Start build/Release/runt-exec from a sealed memfd copy: fork, then execveat in the
   * child with argv `runt-exec <childSyncFd> <fifoFd> <consoleSocketFd>` (-1 for none)
   * and fds 3..3+preserveFds-1 left open. Returns the executor's pid and the parent's
   * end of the sync socketpair (close-on-exec; the caller closes it).
   */
  spawnExecutor(execPath: string, fifoFd: number, consoleSocketFd: number, preserveFds: number): { pid: number; syncFd: number }
  /** waitpid(2); null when `nohang` and the child is still running */
  waitPid(pid: number, nohang: boolean): WaitResult | null
  /** pidfd_open(2): a close-on-exec fd that names the process, immune to pid reuse */
  pidfdOpen(pid: number): number
  /** pidfd_send_signal(2) */
  pidfdSendSignal(pidfd: number, signal: number): void
  /** a connected AF_UNIX stream socket (close-on-exec), e.g. for --console-socket */
  unixConnect(path: string): number
  /** a connected AF_UNIX stream socketpair, both ends close-on-exec */
  socketPair(): [number, number]
  /** sendmsg(2) one message: fd as SCM_RIGHTS plus payload (an empty payload sends one NUL) */
  sendFd(socketFd: number, fd: number, payload: string): void
  /** recvmsg(2), blocking: the descriptor (close-on-exec) and payload of one message */
  recvFd(socketFd: number): { fd: number; payload: string }
  /** recvmsg(2) of at most size bytes (empty at EOF) and the descriptor that came with them, or -1 */
  recvSome(socketFd: number, size: number): { bytes: Buffer; fd: number }
  /** poll(2) for input: true when fd is readable or at EOF, false after timeoutMs */
  pollIn(fd: number, timeoutMs: number): boolean
  /** strerror(3), e.g. "No such file or directory" */
  strerror(errno: number): string

  /** TIOCGWINSZ: the terminal's size, or null when fd is not a terminal */
  getWinsize(fd: number): { rows: number; cols: number } | null
  /** TIOCSWINSZ (on a pty master: the container's side sees SIGWINCH) */
  setWinsize(fd: number, rows: number, cols: number): void
  /** clear ONLCR on a pty, so "\n" is relayed as written */
  clearOnlcr(fd: number): void
  /** an AF_UNIX datagram socket bound to path (close-on-exec); "@name" is an abstract name */
  unixDatagramBind(path: string): number
  /** send one datagram to the AF_UNIX socket at path ("@name": abstract) */
  unixDatagramSend(path: string, payload: Buffer): void
  /** the next datagram waiting on fd, or null when there is none */
  receiveDatagram(fd: number): Buffer | null
  /** a listening AF_UNIX stream socket bound to path (close-on-exec), backlog 1 */
  unixListen(path: string): number
  /** accept(2) without waiting: the connection's fd (close-on-exec, blocking), or null when none is pending */
  unixAccept(fd: number): number | null
  /**
   * Load a cgroup device filter (struct bpf_insn bytes) and attach it to the cgroup
   * directory with BPF_F_ALLOW_MULTI, replacing a filter runt attached there before
   * (BPF_F_REPLACE, no moment without one). Returns how many earlier ones it replaced.
   */
  attachDeviceFilter(cgroupDir: string, program: Buffer): number
  /**
   * Compile checked seccomp rules (src/seccomp/profile.ts) to a BPF program with libseccomp,
   * loaded at the first call; names libseccomp cannot resolve are skipped and returned
   */
  seccompCompile(rules: SeccompRules): { bpf: Buffer; unknown: string[] }
  /** whether seccomp(2) takes these SECCOMP_FILTER_FLAG_* bits */
  seccompFlagSupported(flags: number): boolean
  /** whether libseccomp resolves this architecture name ("x86_64") */
  seccompArchKnown(name: string): boolean
  /** libseccomp's version ("2.5.4"), or null when it cannot be loaded */
  seccompVersion(): string | null
  /** prctl(PR_SET_DUMPABLE) */
  setDumpable(on: boolean): void

  /** a listening AF_UNIX SOCK_SEQPACKET socket at path (close-on-exec, non-blocking accept) */
  seqpacketListen(path: string, backlog: number): number
  /** accept4(2): the connection (blocking, close-on-exec), or null when none is pending */
  acceptPacket(listenFd: number): number | null
  /** SO_PEERCRED of a connected unix socket */
  peerCred(fd: number): { pid: number; uid: number; gid: number }
  /** one SOCK_SEQPACKET packet with up to four descriptors attached */
  sendPacket(fd: number, bytes: Buffer, fds: number[]): void
  /** the next packet (empty at EOF) and the descriptors that came with it (close-on-exec) */
  recvPacket(fd: number): { bytes: Buffer; fds: number[] }
  /** poll(2) for input on several fds: the index of the first readable (or at EOF), -1 after timeoutMs */
  pollFirst(fds: number[], timeoutMs: number): number
}

/** What waitpid(2) reported: a normal exit (`exited`, `status`) or death by `signal`. */
export interface WaitResult {
  pid: number
  exited: boolean
  status: number
  signal: number
}

let addon: NativeAddon | undefined

/** Directory holding runt.node and runt-exec. */
export function nativeBuildDir(): string {
  // dist/runt.js and src/sys/native.ts both sit two levels below the project root
  // (dist/ is one level, but the bundle defines RUNT_ROOT), see scripts/build.mjs.
  return path.join(projectRoot(), 'build', 'Release')
}

export function projectRoot(): string {
  const fromBundle = process.env.RUNT_PROJECT_ROOT_OVERRIDE
  if (fromBundle) return fromBundle
  // __dirname is <root>/dist in the bundle and <root>/src/sys in the sources
  return path.basename(__dirname) === 'dist' ? path.dirname(__dirname) : path.resolve(__dirname, '..', '..')
}

export function native(): NativeAddon {
  if (addon === undefined) {
    // process.dlopen, not require(): the same load without the module system's path
    // resolution and bookkeeping (about a millisecond of every simple command)
    const module = { exports: {} }
    process.dlopen(module, path.join(nativeBuildDir(), 'runt.node'))
    addon = module.exports as NativeAddon
  }
  return addon
}
