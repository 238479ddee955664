// The launch plan: everything the native executor must do, decided in TypeScript.
// It is plain data (see wire.ts for its byte encoding); the executor in native/exec/
// carries it out with system calls only. Paths inside the container are absolute
// container paths; `rootfs` is the absolute host path of the root filesystem.

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time'

export interface IdMapping {
  containerID: number
  hostID: number
  size: number
}

/** One mount(2)-family step, in order, already parsed from config.json. */
export interface MountOp {
  /** absolute path inside the container (resolved within rootfs by the executor) */
  destination: string
  /** host path for binds, or the fs source string ("proc", "tmpfs", ...) */
  source: string
  fstype: string
  /** MS_* flags for the mount(2) call (MS_BIND / MS_REC included for binds) */
  flags: number
  /** MS_* propagation flags, each applied with its own mount(2) call after mounting */
  propagation: number[]
  /** fs-specific data string (options that are not flags), "" for none */
  data: string
  /** mount_setattr(2) attributes applied recursively (rro: MOUNT_ATTR_RDONLY), 0 for none */
  recAttrSet: number
  recAttrClr: number
  /** what to create at the destination when it is missing: a directory, or an empty file */
  createAs: 'dir' | 'file'
  /** tmpfs only ("tmpcopyup"): copy what the covered directory held into the new tmpfs */
  tmpcopyup: boolean
  /**
   * binds only ("idmap"/"ridmap", uidMappings/gidMappings): the executor clones the source
   * as a detached tree, applies a user namespace with these mappings to it (to its
   * submounts too when recursive) and moves it to the destination
   */
  idmap: IdmapOp | null
}

export interface IdmapOp {
  recursive: boolean
  uidMappings: IdMapping[]
  gidMappings: IdMapping[]
}

/** linux.netDevices: a host network device moved into the container's network namespace. */
export interface NetDeviceOp {
  /** its name in the runtime's network namespace */
  hostName: string
  /** its name in the container (may hold "%d": the kernel picks a free number) */
  name: string
}

export interface DeviceNode {
  path: string // absolute container path, e.g. /dev/null
  type: 'c' | 'b' | 'p'
  major: number
  minor: number
  fileMode: number // permission bits
  uid: number
  gid: number
  /** bind-mount the host node instead of mknod (needed inside a user namespace) */
  bindFromHost: boolean
}

export interface Symlink {
  target: string
  linkPath: string // absolute container path
}

export interface Rlimit {
  resource: number // RLIMIT_* number
  soft: bigint
  hard: bigint
}

/** Capability sets as 64-bit masks (bit n = capability number n). */
export interface CapabilitySets {
  bounding: bigint
  effective: bigint
  permitted: bigint
  inheritable: bigint
  ambient: bigint
}

/** linux.seccomp compiled: installed with seccomp(SECCOMP_SET_MODE_FILTER, flags, filter) */
export interface SeccompPlan {
  /** the BPF program, an array of struct sock_filter (8 bytes each) */
  filter: Buffer
  /** SECCOMP_FILTER_FLAG_*; with NEW_LISTENER the executor sends the listener fd (Msg.SECCOMP_FD) */
  flags: number
}

export interface TimeOffset {
  clock: 'monotonic' | 'boottime'
  secs: bigint
  nanosecs: number
}

/** A hook the init runs inside the container (the runtime-namespace hooks run in TypeScript). */
export interface ContainerHook {
  /** createContainer: before pivot_root; startContainer: once `start` releases the init, before execve */
  phase: 'createContainer' | 'startContainer'
  path: string
  /** argv; [path] when the config gives no args */
  args: string[]
  env: string[]
  /** seconds, 0 for none */
  timeout: number
}

/** sched_setattr(2) values (policy, flags: SCHED_* numbers; times in ns) */
export interface SchedulerPlan {
  policy: number
  nice: number
  priority: number
  flags: number
  runtime: bigint
  deadline: bigint
  period: bigint
}

/** set_mempolicy(2) arguments: MPOL_* mode, MPOL_F_* flags (or-ed into the mode), node numbers */
export interface MemoryPolicyPlan {
  mode: number
  flags: number
  nodes: number[]
}

export interface LaunchPlan {
  /** 'init' creates a container; 'join' starts a process in a running container (exec) */
  mode: 'init' | 'join'

  // --- namespaces -----------------------------------------------------------
  /** CLONE_NEW* flags of the namespaces to create */
  cloneFlags: number
  /** namespaces to enter with setns(2) before creating the new ones, in this order */
  joinNamespaces: { type: NamespaceType; path: string }[]
  /** written by the parent (the runtime) through /proc/<pid>/{uid,gid}_map */
  uidMappings: IdMapping[]
  gidMappings: IdMapping[]
  timeOffsets: TimeOffset[]

  // --- root filesystem (mode 'init' only) -----------------------------------
  rootfs: string
  /** MS_* propagation applied to "/" recursively before any mount (MS_SLAVE default) */
  rootPropagation: number
  /** MS_* propagation applied to the new root after pivot_root, 0 for none */
  rootfsPropagation: number
  readonlyRootfs: boolean
  noPivot: boolean
  mounts: MountOp[]
  devices: DeviceNode[]
  symlinks: Symlink[]
  maskedPaths: string[]
  readonlyPaths: string[]
  hostname: string | null
  domainname: string | null
  sysctls: { key: string; value: string }[]
  /** moved into the container's new network namespace, addresses kept, set up */
  netDevices: NetDeviceOp[]
  /**
   * init: stop (HOOKS) just before pivot_root so the parent can run its hooks;
   * join: stop right after the terminal exists so the parent can set the master up
   */
  hookPause: boolean
  /** init only: createContainer and startContainer hooks in config order; absent: none */
  containerHooks?: ContainerHook[]

  // --- process --------------------------------------------------------------
  args: string[]
  env: string[]
  cwd: string
  uid: number
  gid: number
  additionalGids: number[]
  umask: number | null
  rlimits: Rlimit[]
  capabilities: CapabilitySets | null // null: leave the capabilities as they are
  noNewPrivileges: boolean
  oomScoreAdj: number | null
  /** allocate a pty in the container and send its master over the console socket */
  terminal: boolean
  consoleSize: { height: number; width: number } | null
  /** fds 3 .. 3+preserveFds-1 are passed to the process */
  preserveFds: number
  /** make the new session the keyring owner unless false (--no-new-keyring) */
  newKeyring: boolean
  /**
   * exec only (process.execCPUAffinity), CPU numbers: `initial` is set before the process
   * joins the container's cgroup, `final` after it joined, just before execve
   */
  cpuAffinityInitial: number[] | null
  cpuAffinityFinal: number[] | null
  /**
   * installed as late as possible: after no_new_privs when that is set, otherwise
   * before the user change, while the process still has CAP_SYS_ADMIN
   */
  seccomp: SeccompPlan | null
  /** process.scheduler; absent or null: leave the scheduling as inherited */
  scheduler?: SchedulerPlan | null
  /** process.ioPriority as the ioprio_set(2) value; absent or null: leave it */
  ioPriority?: number | null
  /** init only: linux.personality as the personality(2) value; absent or null: leave it */
  personality?: number | null
  /** init only: linux.memoryPolicy; absent or null: leave the policy as inherited */
  memoryPolicy?: MemoryPolicyPlan | null
  /** process.apparmorProfile, applied on execve ("exec <profile>" to attr/apparmor/exec); null: none */
  apparmorProfile: string | null
  /** process.selinuxLabel, applied on execve (attr/exec); null: none */
  selinuxLabel: string | null
  /**
   * tests only: the executor stops itself (SIGSTOP) at this point (see executorStopPoint in
   * src/debug/stop-point.ts); set by the launcher from RUNT_TEST_STOP_AT, never by a plan
   * built from config.json; absent or null: no stop
   */
  testStopAt?: string | null
}
