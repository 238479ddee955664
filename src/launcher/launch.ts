// Launching a container's init (plan.mode 'init') or a process inside a running
// container ('join'): start the executor, hand it the plan, and walk it through the
// sync protocol, one message after the other:
//
//   parent                         executor
//   PLAN  ------------------------>  stage 1: setns, clone the child, exit
//         <------------------------  PID (host pid of the child)
//   id maps, onPid (cgroups)
//   CONTINUE --------------------->  child: mounts, devices...
//         <------------------------  HOOKS (only with plan.hookPause)
//   onHooks, [HOOK_STATE,] CONTINUE >  createContainer hooks, pivot_root, process setup
//                                    (startContainer hooks here too when there is no exec fifo)
//         <------------------------  SECCOMP_FD (only with a seccomp listener), fd attached
//   onSeccompFd
//         <------------------------  CREATED (init) / EOF at execve (join) / ERROR
//
// Whatever fails after the child exists, the child is killed and reaped: a failed
// launch leaves no process behind.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { executorStopPoint } from '../debug/stop-point'
import { systemError } from '../errors'
import { Msg, encodePlan } from '../plan/wire'
import { FLAG_NEW_LISTENER } from '../seccomp/profile'
import type { LaunchPlan } from '../plan/types'
import { native, nativeBuildDir, type WaitResult } from '../sys/native'
import { processHost } from '../sys/caller'
import { writeIdMaps } from './id-maps'
import { LaunchError, launchErrorFromPayload } from './launch-error'
import { SyncChannel, type Message } from './sync-channel'

export { LaunchError } from './launch-error'

const CLONE_NEWUSER = 0x10000000
/** how long the executor may stay silent between two messages */
const SYNC_TIMEOUT_MS = 60_000

export interface LaunchIo {
  /** O_PATH fd of the exec fifo; null runs the process at once (`run`) */
  fifoFd: number | null
  /** connected --console-socket, for plan.terminal */
  consoleSocketFd: number | null
  /** fds 3 .. 3+preserveFds-1 of this process are passed on */
  preserveFds: number
}

export interface LaunchCallbacks {
  /** after the child's pid is known and its id maps are written, before it goes on */
  onPid(pid: number): void
  /** at HOOKS (only when plan.hookPause): namespaces and mounts exist, pivot_root not yet done */
  onHooks?(pid: number): void
  /** at HOOKS, when the plan has container hooks: the state JSON they read, "creating" and "created" */
  containerHookStates?(pid: number): { creating: string; created: string }
  /**
   * at SECCOMP_FD (plan.seccomp with a listener): the filter is in place and fd is its
   * listener; the launcher closes fd afterwards
   */
  onSeccompFd?(pid: number, fd: number): void
}

/** build/Release/runt-exec */
export function executorPath(): string {
  return path.join(nativeBuildDir(), 'runt-exec')
}

/** Children of this process that are not reaped yet. */
class Children {
  private readonly alive = new Set<number>()

  add(pid: number): void {
    this.alive.add(pid)
  }

  reap(pid: number): WaitResult | null {
    this.alive.delete(pid)
    return processHost().waitPid(pid, false)
  }

  /** SIGKILL through a pidfd (the pid cannot be reused before we reap it), then reap. */
  killAll(): void {
    for (const pid of [...this.alive]) {
      try {
        const fd = native().pidfdOpen(pid)
        try {
          native().pidfdSendSignal(fd, os.constants.signals.SIGKILL)
        } finally {
          fs.closeSync(fd)
        }
      } catch {
        // already a zombie or gone: reaping below is all that is left
      }
      try {
        this.reap(pid)
      } catch {
        // reaped elsewhere
      }
    }
  }
}

function frameError(m: Message, plan: LaunchPlan): LaunchError {
  return launchErrorFromPayload(m.payload, plan) ?? protocolError('ERROR message without an errno')
}

function protocolError(what: string): LaunchError {
  return new LaunchError(`sync: ${what} (EPROTO)`, { step: 'sync', errno: 'EPROTO' })
}

/** An EOF where a message was due: the child died; say how. */
function diedEarly(children: Children, pid: number): LaunchError {
  let how = ''
  try {
    const w = children.reap(pid)
    if (w) how = w.exited ? ` with status ${w.status}` : ` by signal ${w.signal}`
  } catch {
    // not ours to reap after all; the message stays without the status
  }
  return new LaunchError(`container process exited before it was set up${how}`, { step: 'sync', errno: 'ECHILD' })
}

/** Next message; an ERROR frame is thrown as the LaunchError it describes. */
function receive(chan: SyncChannel, plan: LaunchPlan): Message | null {
  const m = chan.receive()
  if (m?.type === Msg.ERROR) throw frameError(m, plan)
  return m
}

function sendPlan(chan: SyncChannel, plan: LaunchPlan): void {
  try {
    // a test's executor stop point comes from runt's environment only, never from a config
    chan.send(Msg.PLAN, encodePlan({ ...plan, testStopAt: executorStopPoint() }))
  } catch (err) {
    // the executor may have died (execveat failed) after telling us why
    receive(chan, plan)
    throw err
  }
}

function spawnExecutor(io: LaunchIo): { pid: number; syncFd: number } {
  try {
    return processHost().spawnExecutor(executorPath(), io.fifoFd ?? -1, io.consoleSocketFd ?? -1, io.preserveFds)
  } catch (err) {
    throw systemError('start the executor', err, { path: executorPath() })
  }
}

/**
 * How long the init may stay silent while it runs the hooks due before CREATED: each
 * hook's timeout on top of the usual wait, or no limit when one of them has none.
 */
function hooksBeforeCreatedTimeout(plan: LaunchPlan, noFifo: boolean): number {
  const due = (plan.containerHooks ?? []).filter(h => h.phase === 'createContainer' || noFifo)
  if (due.some(h => h.timeout === 0)) return -1
  return SYNC_TIMEOUT_MS + due.reduce((sum, h) => sum + h.timeout * 1000, 0)
}

function expectsListener(plan: LaunchPlan): boolean {
  return plan.seccomp !== null && (plan.seccomp.flags & FLAG_NEW_LISTENER) !== 0
}

function withFd(fd: number, use: (fd: number) => void): void {
  try {
    use(fd)
  } finally {
    fs.closeSync(fd)
  }
}

export function launch(plan: LaunchPlan, io: LaunchIo, cb: LaunchCallbacks): { pid: number } {
  const spawned = spawnExecutor(io)
  const chan = new SyncChannel(spawned.syncFd, SYNC_TIMEOUT_MS)
  const children = new Children()
  children.add(spawned.pid)
  try {
    sendPlan(chan, plan)
    const first = receive(chan, plan)
    if (first === null) throw diedEarly(children, spawned.pid)
    if (first.type !== Msg.PID || first.payload.length !== 8) throw protocolError(`expected PID, got message ${first.type}`)
    const pid = Number(first.payload.readBigUInt64LE(0))
    children.add(pid)
    children.reap(spawned.pid) // stage 1 exits right after sending PID

    if (plan.mode === 'init' && (plan.cloneFlags & CLONE_NEWUSER)) writeIdMaps(pid, plan)
    cb.onPid(pid)
    chan.send(Msg.CONTINUE)
    for (;;) {
      const m = receive(chan, plan)
      if (m === null) {
        if (plan.mode === 'join') break // execve closed the child's end: the process runs
        throw diedEarly(children, pid)
      }
      if (m.type === Msg.CREATED && plan.mode === 'init') break
      if (m.type === Msg.SECCOMP_FD && m.fd !== null && expectsListener(plan)) {
        withFd(m.fd, fd => cb.onSeccompFd?.(pid, fd))
        continue
      }
      if (m.fd !== null) fs.closeSync(m.fd)
      if (m.type !== Msg.HOOKS || !plan.hookPause) throw protocolError(`unexpected message ${m.type}`)
      cb.onHooks?.(pid)
      if (plan.containerHooks?.length) {
        const states = cb.containerHookStates?.(pid)
        if (!states) throw protocolError('the plan has container hooks but no state for them')
        chan.send(Msg.HOOK_STATE, Buffer.from(`${states.creating}\0${states.created}\0`, 'utf8'))
        chan.setTimeout(hooksBeforeCreatedTimeout(plan, io.fifoFd === null))
      }
      chan.send(Msg.CONTINUE)
    }
    return { pid }
  } catch (err) {
    chan.trySend(Msg.ABORT)
    children.killAll()
    throw err
  } finally {
    chan.close()
  }
}
