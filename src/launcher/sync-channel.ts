// The parent's end of the sync socket: framed messages (see Msg in ../plan/wire),
// read with blocking reads bounded by a timeout so a stuck child cannot hang us.

import fs from 'node:fs'
import { frame } from '../plan/wire'
import { native } from '../sys/native'
import { LaunchError } from './launch-error'

export interface Message {
  type: number
  payload: Buffer
  /** a descriptor sent with the message's header (SCM_RIGHTS), the receiver's to close */
  fd: number | null
}

export class SyncChannel {
  private closed = false

  constructor(readonly fd: number, private timeoutMs: number) {}

  /** how long receive() waits for the next message from now on; -1: no limit */
  setTimeout(ms: number): void {
    this.timeoutMs = ms
  }

  send(type: number, payload?: Buffer): void {
    const bytes = frame(type, payload)
    let off = 0
    while (off < bytes.length) off += fs.writeSync(this.fd, bytes, off, bytes.length - off)
  }

  /** send, ignoring a peer that is already gone */
  trySend(type: number): void {
    try {
      this.send(type)
    } catch {
      // the child exited: nothing to tell it
    }
  }

  /** The next message, or null at EOF (every holder of the child's end closed it). */
  receive(): Message | null {
    let fd: number | null = null
    const header = this.readExact(8, true, got => { fd = got })
    if (header === null) return null
    const type = header.readUInt32LE(0)
    const length = header.readUInt32LE(4)
    const payload = length === 0 ? Buffer.alloc(0) : this.readExact(length, false)
    return { type, payload: payload ?? Buffer.alloc(0), fd }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    fs.closeSync(this.fd)
  }

  /** length bytes; a descriptor that comes with them goes to onFd (recvmsg, not read, keeps it) */
  private readExact(length: number, eofAllowed: boolean, onFd?: (fd: number) => void): Buffer | null {
    const buf = Buffer.alloc(length)
    let off = 0
    while (off < length) {
      if (!native().pollIn(this.fd, this.timeoutMs)) {
        throw new LaunchError(`sync: no word from the container process in ${this.timeoutMs / 1000} s (ETIMEDOUT)`,
          { step: 'sync', errno: 'ETIMEDOUT' })
      }
      let n: number
      if (onFd) {
        const got = native().recvSome(this.fd, length - off)
        got.bytes.copy(buf, off)
        n = got.bytes.length
        if (got.fd >= 0) onFd(got.fd)
      } else {
        n = fs.readSync(this.fd, buf, off, length - off, null)
      }
      if (n === 0) {
        if (off === 0 && eofAllowed) return null
        throw new LaunchError('sync: truncated message from the container process (EPROTO)', { step: 'sync', errno: 'EPROTO' })
      }
      off += n
    }
    return buf
  }
}
