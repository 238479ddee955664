// SCMP_ACT_NOTIFY: the filter's listener goes to the seccomp agent at linux.seccomp's
// listenerPath, with the container process state (config-linux.md "The Container Process
// State") as the payload of the same message. One connection per state, closed after it.

import fs from 'node:fs'
import { SystemError } from '../errors'
import type { HookState } from '../hooks/state'
import type { Seccomp } from '../spec/types'
import { native } from '../sys/native'

/** The container process state as JSON, runc's field order: pid is the filtered process, state.pid the init. */
export function processStateJson(s: Seccomp, pid: number, state: HookState): string {
  const { ociVersion, id, status, bundle, annotations } = state
  return JSON.stringify({
    ociVersion,
    fds: ['seccompFd'],
    pid,
    ...(s.listenerMetadata ? { metadata: s.listenerMetadata } : {}),
    state: { ociVersion, id, status, ...(state.pid ? { pid: state.pid } : {}), bundle, ...(annotations && Object.keys(annotations).length > 0 ? { annotations } : {}) },
  })
}

/** Connect to listenerPath and send fd with the state; any failure fails the operation. */
export function sendToListener(s: Seccomp, fd: number, pid: number, state: HookState): void {
  const at = s.listenerPath ?? ''
  let sock: number
  try {
    sock = native().unixConnect(at)
  } catch (err) {
    throw listenerError(at, err)
  }
  try {
    native().sendFd(sock, fd, processStateJson(s, pid, state))
  } catch (err) {
    throw listenerError(at, err)
  } finally {
    fs.closeSync(sock)
  }
}

function listenerError(at: string, err: unknown): SystemError {
  const e = err as NodeJS.ErrnoException
  return new SystemError(`seccomp: cannot hand the listener to ${at}: ${e.message}`, {
    path: at, errno: typeof e.code === 'string' ? e.code : undefined, cause: err,
  })
}
