// The create/start handshake. The init of a created container blocks opening
// <state dir>/exec.fifo for writing; `start` opens it for reading, takes the one byte
// the init writes, and removes the fifo: from then on the container is "running".

import fs from 'node:fs'
import path from 'node:path'
import { StatusError, systemError } from '../errors'
import type { ContainerRecord } from '../state/store'
import { initAlive } from './init-process'
import { launchErrorFromPayload } from '../launcher/launch-error'

export function execFifoPath(stateDir: string): string {
  return path.join(stateDir, 'exec.fifo')
}

/** Let the init of a created container exec its process. */
export function releaseInit(stateDir: string, rec: ContainerRecord): void {
  const fifo = execFifoPath(stateDir)
  let fd: number
  try {
    fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new StatusError('cannot start an already running container', { id: rec.id })
    throw systemError('open exec fifo', err, { id: rec.id, path: fifo })
  }
  try {
    const byte = Buffer.alloc(1)
    const tick = new Int32Array(new SharedArrayBuffer(4))
    for (;;) {
      let n = 0
      try {
        n = fs.readSync(fd, byte, 0, 1, null)
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw systemError('read exec fifo', err, { id: rec.id, path: fifo })
      }
      if (n === 1) break
      // nothing yet: the init has not opened its end, or it died before it could
      if (!initAlive(rec)) throw new StatusError('cannot start a container that has stopped', { id: rec.id })
      Atomics.wait(tick, 0, 0, 1)
    }
    // '0': the process goes on to execve; '1': a step before it (a startContainer hook)
    // failed, the init exits, and what failed follows
    if (byte[0] === 0x31) {
      fs.rmSync(fifo, { force: true })
      throw startFailure(fd, rec)
    }
  } finally {
    fs.closeSync(fd)
  }
  fs.rmSync(fifo, { force: true })
}

/** The error the init wrote after '1', read until it closes its end. */
function startFailure(fd: number, rec: ContainerRecord): Error {
  const chunks: Buffer[] = []
  const buf = Buffer.alloc(4096)
  const tick = new Int32Array(new SharedArrayBuffer(4))
  for (;;) {
    let n: number
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw systemError('read exec fifo', err, { id: rec.id })
      Atomics.wait(tick, 0, 0, 1)
      continue
    }
    if (n === 0) break
    chunks.push(Buffer.from(buf.subarray(0, n)))
  }
  const plan = { args: rec.config.process?.args ?? [], rlimits: [], oomScoreAdj: null }
  const err = launchErrorFromPayload(Buffer.concat(chunks), plan)
  return err ?? new StatusError('the container process failed before it started', { id: rec.id })
}
