// The parent's end of the sync socket: framed messages (see Msg in ../plan/wire),
// read with blocking reads bounded by a timeout so a stuck child cannot hang us.

import fs from 'node:fs'
import { frame } from '../plan/wire'
import { native } from '../sys/native'
import { LaunchError } from './launch-error'

export interface Message {
  type: number
  payload: Buffer
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
    const header = this.readExact(8, true)
    if (header === null) return null
    const type = header.readUInt32LE(0)
    const length = header.readUInt32LE(4)
    const payload = length === 0 ? Buffer.alloc(0) : this.readExact(length, false)
    return { type, payload: payload ?? Buffer.alloc(0) }
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    fs.closeSync(this.fd)
  }

  private readExact(length: number, eofAllowed: boolean): Buffer | null {
    const buf = Buffer.alloc(length)
    let off = 0
    while (off < length) {
      if (!native().pollIn(this.fd, this.timeoutMs)) {
        throw new LaunchError(`sync: no word from the container process in ${this.timeoutMs / 1000} s (ETIMEDOUT)`,
          { step: 'sync', errno: 'ETIMEDOUT' })
      }
      const n = fs.readSync(this.fd, buf, off, length - off, null)
      if (n === 0) {
        if (off === 0 && eofAllowed) return null
        throw new LaunchError('sync: truncated message from the container process (EPROTO)', { step: 'sync', errno: 'EPROTO' })
      }
      off += n
    }
    return buf
  }
}
