// The front-end <-> planner protocol: one message per SOCK_SEQPACKET packet, a u32 type
// then the payload, descriptors as SCM_RIGHTS. The C side and the message sequence are in
// native/front/protocol.h; test/unit/planner-protocol.test.ts keeps the two in step.

import fs from 'node:fs'
import { native } from '../sys/native'

export const PROTOCOL = 'runt-planner/1'

export const Fp = {
  HELLO: 1,
  READY: 2,
  DIRECT: 3,
  RESTART: 4,
  REQUEST: 5,
  SPAWN: 6,
  SPAWNED: 7,
  WAIT: 8,
  WAITED: 9,
  EXIT: 10,
} as const

export const SPAWN_FIFO = 1
export const SPAWN_CONSOLE = 2

export interface Packet {
  type: number
  body: Buffer
  fds: number[]
}

/** Send one message: its type, the payload, the descriptors. */
export function send(conn: number, type: number, body: Buffer = Buffer.alloc(0), fds: number[] = []): void {
  const head = Buffer.alloc(4)
  head.writeUInt32LE(type, 0)
  native().sendPacket(conn, Buffer.concat([head, body]), fds)
}

/** The next message, or null when the front-end hung up. */
export function receive(conn: number): Packet | null {
  const { bytes, fds } = native().recvPacket(conn)
  if (bytes.length < 4) {
    for (const fd of fds) fs.closeSync(fd)
    return null
  }
  return { type: bytes.readUInt32LE(0), body: bytes.subarray(4), fds }
}

/** A payload of little-endian 32-bit integers. */
export function words(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4)
  values.forEach((v, i) => b.writeInt32LE(v, i * 4))
  return b
}

/** NUL-terminated strings. */
export function cstrings(...values: string[]): Buffer {
  return Buffer.from(values.map(v => `${v}\0`).join(''), 'utf8')
}

/** The NUL-terminated strings of a payload, from offset on. */
export function splitCStrings(body: Buffer, offset = 0): string[] {
  const text = body.subarray(offset).toString('utf8')
  const parts = text.split('\0')
  if (parts[parts.length - 1] === '') parts.pop()
  return parts
}
