// Starting a process in an existing container (runc's exec): the container must be
// created or running (and not paused, unless asked), the process is checked like a
// config's, joins every namespace of the container and its cgroup before it runs any
// code of its own, and is runt's child (for a foreground exec) or the caller's (once
// a detached runt exits). The container stays locked only until the process is in its cgroup.

import fs from 'node:fs'
import path from 'node:path'
import { ConfigError, StatusError } from '../errors'
import type { GlobalOptions } from '../cli/context'
import { buildExecPlan } from '../plan/exec-plan'
import { checkProcess } from '../spec/validate'
import type { Process } from '../spec/types'
import type { ContainerRecord } from '../state/store'
import { writePidFile } from '../state/pidfile'
import { launch } from '../launcher/launch'
import { openContainer, type Container } from './container'
import { joinExecCgroups, type SubCgroups } from './exec-cgroups'
import { initIsAlive } from '../state/status'
import { refuseUnsupported } from './unsupported'
import { warnUnavailableCapabilities } from './capabilities'
import { compileSeccomp } from '../seccomp/compile'
import { sendToListener } from '../seccomp/listener'
import { stateForHooks } from '../hooks/state'
import { refuseUnavailableLsm } from './lsm'
import { stdioMode, type StdioMode } from './terminal-mode'
import { connectCallerSocket, consolePair, prepareMaster, type ConsoleReceiver } from './console'
import { hideFromContainers } from './foreground'
import { native } from '../sys/native'
import { SIGNALS } from '../spec/linux-names'
import { stopPoint } from '../debug/stop-point'
import { processHost } from '../sys/caller'

export interface ExecRequest {
  /** the process to run, given the container's config.json process */
  process(configProcess: Process | undefined): Process
  detach: boolean
  consoleSocket?: string
  /** receives a pidfd of the process (runc >= 1.2) */
  pidfdSocket?: string
  pidFile?: string
  preserveFds: number
  subCgroups: SubCgroups
  ignorePaused: boolean
}

export interface StartedExec {
  pid: number
  mode: StdioMode
  /** the pty master runt relays (foreground-tty), else null */
  master: number | null
}

export function startExec(g: GlobalOptions, id: string, req: ExecRequest): StartedExec {
  const c = openContainer(g, id)
  try {
    const rec = requireExecutable(c, req.ignorePaused)
    const process = checkedProcess(req.process(rec.config.process))
    warnUnavailableCapabilities(process, id)
    const mode = stdioMode(process.terminal === true, req.consoleSocket, req.detach)
    const receiver: ConsoleReceiver | null = mode === 'foreground-tty' ? consolePair() : null
    const seccomp = rec.config.linux?.seccomp
    const plan = buildExecPlan(rec.namespacePaths, process, {
      preserveFds: req.preserveFds,
      pauseAfterTerminal: receiver !== null,
      seccomp: seccomp ? compileSeccomp(seccomp) : null,
    })
    hideFromContainers()

    const consoleSocketFd = mode === 'detached-tty' ? connectCallerSocket(req.consoleSocket!) : receiver?.executorEnd ?? null
    let master: number | null = null
    try {
      const { pid } = launch(plan, { fifoFd: null, consoleSocketFd, preserveFds: req.preserveFds }, {
        onPid: childPid => {
          // the namespaces just joined were the init's only if it is still the same process
          if (!initIsAlive(rec)) throw new StatusError('cannot exec in a stopped container', { id })
          joinExecCgroups(rec, childPid, req.subCgroups)
          // placed: the rest needs no lock, and in a paused container (--ignore-paused)
          // the process only goes on once `resume`, which takes the lock, has run
          c.handle.release()
          stopPoint('exec:pid') // joined, waiting to go on: what a process in the container can see
        },
        // foreground terminal: the executor waits with the pty made, before the process runs
        onHooks: () => {
          master = receiver!.receive()
          prepareMaster(master)
        },
        onSeccompFd: (childPid, fd) => sendToListener(seccomp!, fd, childPid, stateForHooks(rec, 'running', rec.initPid)),
      })
      stopPoint('exec:launched')
      try {
        if (req.pidfdSocket) sendPidfd(req.pidfdSocket, pid)
        if (req.pidFile) writePidFile(path.resolve(req.pidFile), pid)
        return { pid, mode, master }
      } catch (err) {
        killAndReap(pid) // started, but not the way it was asked for
        throw err
      }
    } finally {
      receiver?.close()
      if (mode === 'detached-tty' && consoleSocketFd !== null) closeFd(consoleSocketFd)
    }
  } finally {
    c.handle.release()
  }
}

/** The record of a container one may exec in, or the status error runc gives. */
function requireExecutable(c: Container, ignorePaused: boolean): ContainerRecord {
  if (c.record === null || c.status === 'stopped') throw new StatusError('cannot exec in a stopped container', { id: c.id })
  if (c.status === 'paused' && !ignorePaused) {
    throw new StatusError('cannot exec in a paused container (use --ignore-paused to override)', { id: c.id })
  }
  return c.record
}

/** The schema and rules a config's process must pass, and nothing runt cannot honour. */
function checkedProcess(process: Process): Process {
  const problems = checkProcess(process)
  if (problems.length > 0) throw new ConfigError(problems)
  refuseUnsupported({ ociVersion: '', process })
  refuseUnavailableLsm({ process }, undefined, '')
  return process
}

function closeFd(fd: number): void {
  try {
    fs.closeSync(fd)
  } catch { /* already closed */ }
}

/** --pidfd-socket: one message carrying a pidfd of the process, payload "setns" as runc's */
function sendPidfd(socketPath: string, pid: number): void {
  const sock = connectCallerSocket(socketPath, '--pidfd-socket')
  const pidfd = native().pidfdOpen(pid)
  try {
    native().sendFd(sock, pidfd, 'setns')
  } finally {
    closeFd(pidfd)
    closeFd(sock)
  }
}

/** Our child: a pidfd names it safely until it is reaped. */
function killAndReap(pid: number): void {
  try {
    const fd = native().pidfdOpen(pid)
    try {
      native().pidfdSendSignal(fd, SIGNALS.KILL)
    } finally {
      fs.closeSync(fd)
    }
    processHost().waitPid(pid, false)
  } catch { /* already gone */ }
}
