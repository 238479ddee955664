// The executor is started by the front-end, not by the planner: the container's init
// must be the caller's child (reparented to the caller's subreaper), exactly as on the
// direct path. This ProcessHost asks the front-end over the connection.

import fs from 'node:fs'
import os from 'node:os'
import { errnoName } from '../launcher/launch-error'
import type { ProcessHost } from '../sys/caller'
import { native, type WaitResult } from '../sys/native'
import { Fp, SPAWN_CONSOLE, SPAWN_FIFO, receive, send, splitCStrings, words } from './protocol'

/** An Error shaped like the addon's (code, errno, syscall). */
function errnoError(errno: number, syscall: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${syscall}: ${native().strerror(errno)}`)
  err.code = errnoName(errno)
  err.errno = errno
  err.syscall = syscall
  return err
}

export class FrontEndProcesses implements ProcessHost {
  constructor(private readonly conn: number) {}

  private answer(type: number): Buffer {
    const m = receive(this.conn)
    if (m === null) throw errnoError(os.constants.errno.ECONNRESET, 'the front-end hung up')
    for (const fd of m.fds) fs.closeSync(fd)
    if (m.type !== type) throw errnoError(os.constants.errno.EPROTO, `front-end answered ${m.type}, expected ${type}`)
    return m.body
  }

  spawnExecutor(_execPath: string, fifoFd: number, consoleSocketFd: number, preserveFds: number): { pid: number; syncFd: number } {
    const [mine, theirs] = native().socketPair()
    try {
      const fds = [theirs]
      let flags = 0
      if (fifoFd >= 0) {
        fds.push(fifoFd)
        flags |= SPAWN_FIFO
      }
      if (consoleSocketFd >= 0) {
        fds.push(consoleSocketFd)
        flags |= SPAWN_CONSOLE
      }
      send(this.conn, Fp.SPAWN, words(preserveFds, flags), fds)
      const body = this.answer(Fp.SPAWNED)
      const pid = body.readInt32LE(0)
      if (pid < 0) throw errnoError(body.readInt32LE(4), splitCStrings(body, 8)[0] ?? 'spawn')
      return { pid, syncFd: mine }
    } catch (err) {
      fs.closeSync(mine)
      throw err
    } finally {
      fs.closeSync(theirs)
    }
  }

  waitPid(pid: number, nohang: boolean): WaitResult | null {
    send(this.conn, Fp.WAIT, words(pid, nohang ? 1 : 0))
    const body = this.answer(Fp.WAITED)
    const got = body.readInt32LE(0)
    if (got < 0) throw errnoError(body.readInt32LE(16), 'waitpid')
    if (got === 0) return null
    return { pid: got, exited: body.readInt32LE(4) !== 0, status: body.readInt32LE(8), signal: body.readInt32LE(12) }
  }
}
