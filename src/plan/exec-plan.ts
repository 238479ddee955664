// `runt exec`: the process to start in an existing container, and its launch plan.
// The process is either a whole process.json (-p) or the container's own config
// process with the command line's flags applied the way runc applies them. The plan
// joins every namespace the container has (the executor enters the user namespace
// first and the mount namespace last) and builds nothing: the root filesystem exists.

import { parseCpuList } from './cpu-list'
import { UsageError } from '../errors'
import type { Process } from '../spec/types'
import { planProcess } from './process'
import type { LaunchPlan, NamespaceType, SeccompPlan } from './types'

/** The flags of `runt exec` that shape the process (runc's getProcess). */
export interface ExecProcessFlags {
  /** the command after the container id */
  args: string[]
  /** -e NAME=value, appended; a later one replaces an earlier one of the same name */
  env: string[]
  cwd?: string
  /** -u uid[:gid], numeric only */
  user?: string
  /** -g gid, repeatable */
  additionalGids: string[]
  /** -c CAP_X: added to the bounding, effective and permitted sets */
  caps: string[]
  /** -t: the process gets a terminal; without it it has none, whatever config.json says */
  tty: boolean
  /** --no-new-privs given */
  noNewPrivs: boolean
  apparmor?: string
  processLabel?: string
}

/** config.json's process with the exec flags applied; the result is checked by the caller. */
export function processFromFlags(base: Process | undefined, f: ExecProcessFlags): Process {
  if (f.args.length === 0) throw new UsageError('process args cannot be empty')
  const p: Process = structuredClone(base ?? { cwd: '/' })
  p.args = [...f.args]
  if (f.cwd) p.cwd = f.cwd
  if (f.apparmor) p.apparmorProfile = f.apparmor
  if (f.processLabel) p.selinuxLabel = f.processLabel
  if (f.caps.length > 0) p.capabilities = withCaps(p.capabilities ?? {}, f.caps)
  p.env = mergeEnv(p.env ?? [], f.env)
  p.terminal = f.tty
  if (f.noNewPrivs) p.noNewPrivileges = true
  if (f.user) {
    const [uid, gid] = parseUser(f.user)
    p.user ??= { uid: 0, gid: 0 }
    if (uid !== undefined) p.user.uid = uid
    if (gid !== undefined) p.user.gid = gid
  }
  if (f.additionalGids.length > 0) {
    p.user ??= { uid: 0, gid: 0 }
    p.user.additionalGids = [...(p.user.additionalGids ?? []), ...f.additionalGids.map(parseGid)]
  }
  return p
}

function withCaps(caps: NonNullable<Process['capabilities']>, added: string[]): NonNullable<Process['capabilities']> {
  const plus = (set: string[] | undefined) => [...(set ?? []), ...added]
  return {
    ...caps,
    bounding: plus(caps.bounding),
    effective: plus(caps.effective),
    permitted: plus(caps.permitted),
    // an ambient capability needs the inheritable one, which --cap does not add
    ...(caps.inheritable !== undefined ? { ambient: plus(caps.ambient) } : {}),
  }
}

/** Append `added`; an entry whose name is already set replaces that entry in place. */
export function mergeEnv(env: readonly string[], added: readonly string[]): string[] {
  const out = [...env]
  const nameOf = (entry: string) => entry.split('=', 1)[0]
  for (const entry of added) {
    const at = out.findIndex(e => nameOf(e) === nameOf(entry))
    if (at >= 0) out[at] = entry
    else out.push(entry)
  }
  return out
}

const ID = /^\d+$/
const ID_MAX = 2 ** 32 - 1

function parseId(text: string, what: string): number {
  if (!ID.test(text) || Number(text) > ID_MAX) throw new UsageError(`parsing ${text} as int for ${what} failed`)
  return Number(text)
}

/** "uid", "uid:gid" or ":gid", numbers only (runc does not look names up) */
function parseUser(text: string): [number | undefined, number | undefined] {
  const colon = text.indexOf(':')
  const uid = colon < 0 ? text : text.slice(0, colon)
  return [uid === '' ? undefined : parseId(uid, 'uid'), colon < 0 ? undefined : parseId(text.slice(colon + 1), 'gid')]
}

function parseGid(text: string): number {
  if (!ID.test(text)) throw new UsageError(`additional-gids must be a positive number ${text}`)
  return parseId(text, 'additional gid')
}

/** user first: its capabilities are what allow joining the others; mount last: it changes the paths */
const JOIN_ORDER: NamespaceType[] = ['user', 'pid', 'network', 'ipc', 'uts', 'cgroup', 'time', 'mount']

/** The namespaces to join, in order, from the record's type -> path map. */
export function joinList(namespacePaths: Readonly<Record<string, string>>): LaunchPlan['joinNamespaces'] {
  const unknown = Object.keys(namespacePaths).filter(t => !JOIN_ORDER.includes(t as NamespaceType))
  if (unknown.length > 0) throw new UsageError(`cannot join namespace type ${unknown.join(', ')}`)
  return JOIN_ORDER.filter(t => namespacePaths[t] !== undefined).map(type => ({ type, path: namespacePaths[type] }))
}

export interface ExecPlanOptions {
  /** fds 3 .. 3+preserveFds-1 of runt are passed on */
  preserveFds: number
  /** stop (HOOKS) once the terminal exists, so runt can set its master up first */
  pauseAfterTerminal?: boolean
  /** the container's linux.seccomp compiled: an exec'd process gets the filter too */
  seccomp?: SeccompPlan | null
}

/** A join-mode plan: enter the container's namespaces and run `process` there. */
export function buildExecPlan(namespacePaths: Readonly<Record<string, string>>, process: Process, o: ExecPlanOptions): LaunchPlan {
  return {
    mode: 'join',
    cloneFlags: 0,
    joinNamespaces: joinList(namespacePaths),
    uidMappings: [],
    gidMappings: [],
    timeOffsets: [],
    rootfs: '',
    rootPropagation: 0,
    rootfsPropagation: 0,
    readonlyRootfs: false,
    noPivot: false,
    mounts: [],
    netDevices: [],
    devices: [],
    symlinks: [],
    maskedPaths: [],
    readonlyPaths: [],
    hostname: null,
    domainname: null,
    sysctls: [],
    hookPause: o.pauseAfterTerminal === true && process.terminal === true,
    ...planProcess(process),
    preserveFds: o.preserveFds,
    // runc's exec joins a new session keyring too (unless the container was made with --no-new-keyring)
    newKeyring: true,
    cpuAffinityInitial: parseCpuList(process.execCPUAffinity?.initial, '/process/execCPUAffinity/initial'),
    cpuAffinityFinal: parseCpuList(process.execCPUAffinity?.final, '/process/execCPUAffinity/final'),
    seccomp: o.seccomp ?? null,
  }
}
