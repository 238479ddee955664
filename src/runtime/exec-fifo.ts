// The create/start handshake. The init of a created container blocks opening
// <state dir>/exec.fifo for writing; `start` opens it for reading, takes the one byte
// the init writes, and removes the fifo: from then on the container is "running".

import fs from 'node:fs'
import path from 'node:path'
import { StatusError, systemError } from '../errors'
import type { ContainerRecord } from '../state/store'
import { initIsAlive } from '../state/status'
import { launchErrorFromPayload } from '../launcher/launch-error'
import { native } from '../sys/native'
import { removeFile } from '../sys/files'

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
    const buf = Buffer.alloc(1)
    const readByte = (): number | null => {
      try {
        return fs.readSync(fd, buf, 0, 1, null) === 1 ? buf[0] : null
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw systemError('read exec fifo', err, { id: rec.id, path: fifo })
        return null
      }
    }
    // poll wakes as soon as the byte is there; the bound lets a dead init be noticed
    const byte = awaitStartByte(readByte, () => initIsAlive(rec), () => { native().pollIn(fd, 5) })
    if (byte === null) throw new StatusError('cannot start a container that has stopped', { id: rec.id })
    // '0': the process goes on to execve; '1': a step before it (a startContainer hook)
    // failed, the init exits, and what failed follows
    if (byte === 0x31) {
      removeFile(fifo)
      throw startFailure(fd, rec)
    }
  } finally {
    fs.closeSync(fd)
  }
  removeFile(fifo)
}

/**
 * Wait for the init's byte: null when the init is gone without writing one. Whether the
 * init lives is asked only after a wait found nothing (its /proc entry is slow to read
 * at the moment it execs, which is when a byte is usually on its way), and an init seen
 * gone gets one last read: one that writes its byte and exits at once (a short-lived
 * process such as /bin/true) between an empty read and the check is started, not stopped.
 */
export function awaitStartByte(readByte: () => number | null, initAlive: () => boolean, pause: () => void): number | null {
  for (let waited = false; ; waited = true) {
    const byte = readByte()
    if (byte !== null) return byte
    if (waited && !initAlive()) return readByte()
    pause()
  }
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
