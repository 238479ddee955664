// TypeScript shape of config.json as the OCI runtime-spec v1.3.0 defines it
// (schema/config-schema.json, config-linux.json, defs*.json). Only the platform
// runt serves (Linux) is typed in detail; other platforms' sections are opaque.
// Every field is optional unless the schema requires it; validation checks the
// rest, so code that plans from a Spec may rely on these types.

export type NamespaceType = 'mount' | 'pid' | 'network' | 'uts' | 'ipc' | 'user' | 'cgroup' | 'time'

export interface IDMapping {
  containerID: number
  hostID: number
  size: number
}

export interface Hook {
  path: string
  args?: string[]
  env?: string[]
  /** seconds, at least 1 */
  timeout?: number
}

export interface Hooks {
  /** deprecated by the spec, still honoured */
  prestart?: Hook[]
  createRuntime?: Hook[]
  createContainer?: Hook[]
  startContainer?: Hook[]
  poststart?: Hook[]
  poststop?: Hook[]
}

export interface Mount {
  destination: string
  source?: string
  options?: string[]
  type?: string
  uidMappings?: IDMapping[]
  gidMappings?: IDMapping[]
}

export interface Root {
  path: string
  readonly?: boolean
}

export interface ConsoleSize {
  height: number
  width: number
}

export interface User {
  uid?: number
  gid?: number
  umask?: number
  additionalGids?: number[]
  username?: string
}

export interface Capabilities {
  bounding?: string[]
  permitted?: string[]
  effective?: string[]
  inheritable?: string[]
  ambient?: string[]
}

export interface ProcessRlimit {
  /** RLIMIT_* name */
  type: string
  /** JSON numbers: values above 2^53 arrive rounded (RLIM_INFINITY is 2^64-1) */
  soft: number
  hard: number
}

export interface IOPriority {
  class: 'IOPRIO_CLASS_RT' | 'IOPRIO_CLASS_BE' | 'IOPRIO_CLASS_IDLE'
  priority?: number
}

export type SchedulerPolicy =
  | 'SCHED_OTHER' | 'SCHED_FIFO' | 'SCHED_RR' | 'SCHED_BATCH' | 'SCHED_ISO' | 'SCHED_IDLE' | 'SCHED_DEADLINE'

export type SchedulerFlag =
  | 'SCHED_FLAG_RESET_ON_FORK' | 'SCHED_FLAG_RECLAIM' | 'SCHED_FLAG_DL_OVERRUN' | 'SCHED_FLAG_KEEP_POLICY'
  | 'SCHED_FLAG_KEEP_PARAMS' | 'SCHED_FLAG_UTIL_CLAMP_MIN' | 'SCHED_FLAG_UTIL_CLAMP_MAX'

export interface Scheduler {
  policy: SchedulerPolicy
  nice?: number
  priority?: number
  flags?: SchedulerFlag[]
  runtime?: number
  deadline?: number
  period?: number
}

export interface ExecCPUAffinity {
  initial?: string
  final?: string
}

export interface Process {
  cwd: string
  args?: string[]
  /** Windows only */
  commandLine?: string
  consoleSize?: ConsoleSize
  env?: string[]
  terminal?: boolean
  user?: User
  capabilities?: Capabilities
  apparmorProfile?: string
  oomScoreAdj?: number
  selinuxLabel?: string
  ioPriority?: IOPriority
  noNewPrivileges?: boolean
  scheduler?: Scheduler
  rlimits?: ProcessRlimit[]
  execCPUAffinity?: ExecCPUAffinity
}

// --- linux ------------------------------------------------------------------

export interface Namespace {
  type: NamespaceType
  path?: string
}

export interface Device {
  /** c, b, u (unbuffered character) or p (fifo) */
  type: string
  path: string
  major?: number
  minor?: number
  /** permission bits, decimal in JSON */
  fileMode?: number
  uid?: number
  gid?: number
}

export interface NetDevice {
  name?: string
}

export interface DeviceCgroup {
  allow: boolean
  type?: string
  major?: number
  minor?: number
  access?: string
}

export interface BlockIODevice {
  major: number
  minor: number
}

export interface BlockIODeviceWeight extends BlockIODevice {
  weight?: number
  leafWeight?: number
}

export interface BlockIODeviceThrottle extends BlockIODevice {
  rate?: number
}

export interface BlockIO {
  weight?: number
  leafWeight?: number
  throttleReadBpsDevice?: BlockIODeviceThrottle[]
  throttleWriteBpsDevice?: BlockIODeviceThrottle[]
  throttleReadIOPSDevice?: BlockIODeviceThrottle[]
  throttleWriteIOPSDevice?: BlockIODeviceThrottle[]
  weightDevice?: BlockIODeviceWeight[]
}

export interface CPU {
  cpus?: string
  mems?: string
  period?: number
  quota?: number
  burst?: number
  realtimePeriod?: number
  realtimeRuntime?: number
  shares?: number
  idle?: number
}

export interface HugepageLimit {
  /** e.g. "2MB" */
  pageSize: string
  limit: number
}

export interface Memory {
  kernel?: number
  kernelTCP?: number
  limit?: number
  reservation?: number
  swap?: number
  swappiness?: number
  disableOOMKiller?: boolean
  useHierarchy?: boolean
  checkBeforeUpdate?: boolean
}

export interface NetworkInterfacePriority {
  name: string
  priority: number
}

export interface Network {
  classID?: number
  priorities?: NetworkInterfacePriority[]
}

export interface Rdma {
  hcaHandles?: number
  hcaObjects?: number
}

export interface Resources {
  unified?: Record<string, string>
  devices?: DeviceCgroup[]
  pids?: { limit: number }
  blockIO?: BlockIO
  cpu?: CPU
  hugepageLimits?: HugepageLimit[]
  memory?: Memory
  network?: Network
  rdma?: Record<string, Rdma>
}

export type RootfsPropagation = 'private' | 'shared' | 'slave' | 'unbindable'

export type SeccompAction =
  | 'SCMP_ACT_KILL' | 'SCMP_ACT_KILL_PROCESS' | 'SCMP_ACT_KILL_THREAD' | 'SCMP_ACT_TRAP' | 'SCMP_ACT_ERRNO'
  | 'SCMP_ACT_TRACE' | 'SCMP_ACT_ALLOW' | 'SCMP_ACT_LOG' | 'SCMP_ACT_NOTIFY'

export type SeccompOperator =
  | 'SCMP_CMP_NE' | 'SCMP_CMP_LT' | 'SCMP_CMP_LE' | 'SCMP_CMP_EQ' | 'SCMP_CMP_GE' | 'SCMP_CMP_GT'
  | 'SCMP_CMP_MASKED_EQ'

export type SeccompFlag =
  | 'SECCOMP_FILTER_FLAG_TSYNC' | 'SECCOMP_FILTER_FLAG_LOG' | 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'
  | 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'

export interface SyscallArg {
  index: number
  value: number
  valueTwo?: number
  op: SeccompOperator
}

export interface Syscall {
  names: string[]
  action: SeccompAction
  errnoRet?: number
  args?: SyscallArg[]
}

export interface Seccomp {
  defaultAction: SeccompAction
  defaultErrnoRet?: number
  flags?: SeccompFlag[]
  listenerPath?: string
  listenerMetadata?: string
  /** SCMP_ARCH_* names */
  architectures?: string[]
  syscalls?: Syscall[]
}

export interface IntelRdt {
  closID?: string
  schemata?: string[]
  l3CacheSchema?: string
  memBwSchema?: string
  enableMonitoring?: boolean
}

export interface MemoryPolicy {
  /** MPOL_* mode name */
  mode?: string
  nodes?: string
  /** MPOL_F_* flag names */
  flags?: string[]
}

export interface Personality {
  domain?: 'LINUX' | 'LINUX32'
  flags?: string[]
}

export interface TimeOffsetSpec {
  secs?: number
  nanosecs?: number
}

export interface Linux {
  devices?: Device[]
  netDevices?: Record<string, NetDevice>
  uidMappings?: IDMapping[]
  gidMappings?: IDMapping[]
  namespaces?: Namespace[]
  resources?: Resources
  cgroupsPath?: string
  rootfsPropagation?: RootfsPropagation
  seccomp?: Seccomp
  sysctl?: Record<string, string>
  maskedPaths?: string[]
  readonlyPaths?: string[]
  mountLabel?: string
  intelRdt?: IntelRdt
  memoryPolicy?: MemoryPolicy
  personality?: Personality
  timeOffsets?: { boottime?: TimeOffsetSpec; monotonic?: TimeOffsetSpec }
}

// --- the whole document -----------------------------------------------------

export interface Spec {
  ociVersion: string
  hooks?: Hooks
  annotations?: Record<string, string>
  hostname?: string
  domainname?: string
  mounts?: Mount[]
  root?: Root
  process?: Process
  linux?: Linux
  // Platforms runt does not run; kept so a config naming them still types.
  solaris?: Record<string, unknown>
  windows?: Record<string, unknown>
  vm?: Record<string, unknown>
  zos?: Record<string, unknown>
  freebsd?: Record<string, unknown>
}
