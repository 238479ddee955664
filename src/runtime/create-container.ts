// Creating a container (runtime-spec "create"): everything of config.json is applied
// except the user process, which waits on the exec fifo until `start` (or, for a
// foreground `run`, starts at once). Used by `create` and `run`.
//
// Order: validate (nothing on disk yet) -> take the state directory -> cgroups ->
// plan -> launch the init (placed in its cgroup before it runs container code) ->
// record the state -> pid file. Any failure undoes every step already taken.

import fs from 'node:fs'
import path from 'node:path'
import type { GlobalOptions } from '../cli/context'
import { loadConfig } from '../spec/validate'
import type { Spec } from '../spec/types'
import { validateId } from '../state/ids'
import { StateStore, type ContainerHandle, type ContainerRecord } from '../state/store'
import { writePidFile } from '../state/pidfile'
import { processStartTime } from '../state/status'
import { rfc3339Nano } from '../state/time'
import { cgroupManager, type CgroupManager } from '../cgroups/manager'
import { detectLayout, type CgroupLayout } from '../cgroups/detect'
import type { CgroupLayout as PlanCgroupLayout } from '../plan/inputs'
import { buildPlan } from '../plan/build'
import { hostFacts } from '../plan/host-facts'
import { launch } from '../launcher/launch'
import { native } from '../sys/native'
import { requireCgroupDriver } from './cgroup-driver'
import { checkTerminalMode } from './terminal-mode'
import { hookStateJson, runHooks, stateForHooks } from '../hooks/run'
import { refuseUnsupported } from './unsupported'
import { warnUnavailableCapabilities } from './capabilities'
import { compileSeccomp } from '../seccomp/compile'
import { sendToListener } from '../seccomp/listener'
import { NotifyProxy, withNotifySocket } from './notify-socket'
import { refuseUnavailableLsm } from './lsm'
import { stopPoint } from '../debug/stop-point'

export interface CreateOptions {
  bundle: string
  pidFile?: string
  consoleSocket?: string
  noPivot: boolean
  noNewKeyring: boolean
  preserveFds: number
  /** false for `run`: the process starts as soon as it is set up */
  waitForStart: boolean
  /** runt returns while the container runs (create, run --detach) */
  detached: boolean
}

export interface CreatedContainer {
  id: string
  pid: number
  spec: Spec
  handle: ContainerHandle
  record: ContainerRecord
  cgroups: CgroupManager
  /** the container's notify socket, bound before a process that starts at once (run) */
  notify: NotifyProxy | null
}

const O_PATH = 0o10000000

/** Create the container; the returned handle still holds the container's lock. */
export function createContainer(g: GlobalOptions, id: string, o: CreateOptions): CreatedContainer {
  const { bundle, spec } = checkCreateRequest(g, id, o)
  warnUnavailableCapabilities(spec.process, id)

  const store = new StateStore(g.root)
  const handle = store.createContainerDir(id)
  stopPoint('create:dir')
  const undo: (() => void)[] = [() => handle.remove()]
  const fds: number[] = []
  try {
    const layout = detectLayout()
    const rootless = isRootless(g)
    const cgroups = cgroupManager({ id, cgroupsPath: spec.linux?.cgroupsPath, rootless }, layout)
    const rootfs = path.resolve(bundle, spec.root?.path ?? 'rootfs')
    const record: ContainerRecord = {
      id,
      ociVersion: spec.ociVersion,
      bundle,
      rootfs,
      created: '',
      initPid: 0,
      initStartTime: '',
      annotations: spec.annotations ?? {},
      owner: process.geteuid?.() ?? 0,
      cgroupPaths: cgroups.paths(),
      // what create() is about to make: a create killed half-way leaves them to `delete --force`
      cgroupDirsCreated: cgroups.missingDirs(),
      namespacePaths: {},
      sharedPidNs: !(spec.linux?.namespaces ?? []).some(ns => ns.type === 'pid' && !ns.path),
      config: spec,
      rootless,
    }
    // recorded before the cgroups and the init exist, so `delete --force` can clean up after a killed create
    handle.write(record)
    stopPoint('create:record')
    cgroups.create()
    undo.push(() => cgroups.destroy())
    if (spec.linux?.resources) cgroups.apply(spec.linux.resources)
    const planned = JSON.stringify([record.cgroupDirsCreated, record.cgroupPaths])
    record.cgroupDirsCreated = cgroups.createdDirs()
    record.cgroupPaths = cgroups.paths() // rootless: a group it could not create is not the container's
    if (JSON.stringify([record.cgroupDirsCreated, record.cgroupPaths]) !== planned) handle.write(record)
    stopPoint('create:cgroups')

    // socket activation: the fds systemd handed us go first, then --preserve-fds
    const activation = socketActivation(process.env)
    const preserveFds = activation.fds + o.preserveFds
    const seccomp = spec.linux?.seccomp
    // NOTIFY_SOCKET: the container gets a socket of ours to notify (src/runtime/notify-socket.ts)
    const hostNotify = process.env.NOTIFY_SOCKET
    const withNotify = hostNotify ? withNotifySocket(spec, handle.dir) : spec
    const notify = hostNotify && !o.waitForStart ? NotifyProxy.listen(handle.dir, hostNotify) : null
    if (notify) undo.push(() => notify.close())
    const plan = buildPlan(withNotify, {
      bundle,
      noPivot: o.noPivot,
      noNewKeyring: o.noNewKeyring,
      preserveFds,
      seccomp: seccomp ? compileSeccomp(seccomp) : null,
    }, hostFacts(containerCgroupView(layout, cgroups.paths())))
    plan.env.push(...activation.env)

    let fifoFd: number | null = null
    if (o.waitForStart) {
      const fifo = path.join(handle.dir, 'exec.fifo')
      native().mkfifo(fifo, 0o622)
      // as runc does: anyone may open it for writing, so an init that already runs as
      // process.user (not root) can still block on it; mkfifo's mode passed the umask
      fs.chmodSync(fifo, 0o622)
      fifoFd = fs.openSync(fifo, O_PATH) // libuv adds O_CLOEXEC
      fds.push(fifoFd)
    }
    let consoleSocketFd: number | null = null
    if (o.consoleSocket) {
      consoleSocketFd = native().unixConnect(path.resolve(o.consoleSocket))
      fds.push(consoleSocketFd)
    }

    const { pid } = launch(plan, { fifoFd, consoleSocketFd, preserveFds }, {
      // the launcher has written the id maps; the init waits until we return
      onPid: initPid => {
        cgroups.join(initPid)
        stopPoint('create:pid')
      },
      // namespaces and mounts exist, pivot_root is next: the runtime-namespace hooks
      onHooks: initPid => {
        const state = stateForHooks(record, 'creating', initPid)
        runHooks('prestart', spec.hooks?.prestart, state, { cwd: bundle })
        runHooks('createRuntime', spec.hooks?.createRuntime, state, { cwd: bundle })
      },
      // the init runs createContainer and startContainer hooks itself, in the container
      containerHookStates: initPid => ({
        creating: hookStateJson(stateForHooks(record, 'creating', initPid)),
        created: hookStateJson(stateForHooks(record, 'created', initPid)),
      }),
      onSeccompFd: (initPid, fd) => sendToListener(seccomp!, fd, initPid, stateForHooks(record, 'creating', initPid)),
    })

    stopPoint('create:launched')
    record.initPid = pid
    record.cgroupPaths = cgroups.paths() // rootless: a group it could not join is not the container's
    record.initStartTime = processStartTime(pid) ?? ''
    record.created = rfc3339Nano()
    record.namespacePaths = namespacePaths(spec, pid)
    handle.write(record)
    stopPoint('create:recorded')
    if (o.pidFile) writePidFile(path.resolve(o.pidFile), pid)
    return { id, pid, spec, handle, record, cgroups, notify }
  } catch (err) {
    for (const step of undo.reverse()) {
      try { step() } catch { /* keep the first error; the rest is best effort */ }
    }
    throw err
  } finally {
    for (const fd of fds) fs.closeSync(fd)
  }
}

/**
 * Everything create checks before it touches the host: the id, the flags, and the
 * bundle's config.json (schema, semantics, what runt cannot honour). Nothing on disk
 * is created or changed, so a refused request leaves nothing behind.
 */
export function checkCreateRequest(g: GlobalOptions, id: string, o: CreateOptions): { bundle: string; spec: Spec } {
  validateId(id)
  requireCgroupDriver(g)
  const bundle = path.resolve(o.bundle || '.')
  const spec = loadConfig(bundle, { willStart: true })
  refuseUnsupported(spec)
  refuseUnavailableLsm(spec)
  checkTerminalMode(spec.process?.terminal === true, o.consoleSocket, o.detached)
  return { bundle, spec }
}

/** runc's --rootless: true, false, or auto (an unprivileged runtime is rootless). */
export function isRootless(g: Pick<GlobalOptions, 'rootless'>, euid = process.geteuid?.() ?? 0): boolean {
  return g.rootless === 'true' || (g.rootless === 'auto' && euid !== 0)
}

/**
 * LISTEN_FDS in runt's environment (systemd socket activation): those fds, 3 onwards,
 * pass to the container, which is told about them as its pid 1 (as runc does).
 */
export function socketActivation(env: NodeJS.ProcessEnv): { fds: number; env: string[] } {
  const n = env.LISTEN_FDS
  if (n === undefined || !/^\d+$/.test(n) || Number(n) === 0) return { fds: 0, env: [] }
  return { fds: Number(n), env: [`LISTEN_FDS=${n}`, 'LISTEN_PID=1'] }
}

/** What the container's /sys/fs/cgroup shows: cgroup2, or its group in each v1 hierarchy. */
function containerCgroupView(layout: CgroupLayout, paths: Record<string, string>): PlanCgroupLayout {
  if (layout.mode === 'unified') return { kind: 'unified' }
  const hierarchies = layout.hierarchies
    .filter(h => h.version === 1 && paths[h.key] !== undefined)
    .map(h => ({ name: h.key, hostPath: paths[h.key] }))
  return { kind: 'v1', hierarchies }
}

/** /proc paths of the namespaces the container owns, for joining them later (exec). */
function namespacePaths(spec: Spec, pid: number): Record<string, string> {
  const procName: Record<string, string> = { mount: 'mnt', network: 'net', pid: 'pid', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup', time: 'time' }
  const out: Record<string, string> = {}
  for (const ns of spec.linux?.namespaces ?? []) out[ns.type] = ns.path || `/proc/${pid}/ns/${procName[ns.type]}`
  return out
}

