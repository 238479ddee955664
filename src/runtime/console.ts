// The container side of a terminal: where the executor sends the pty master
// (--console-socket, or a socket runt holds itself), and, in the foreground, the relay
// between runt's own stdio and that master: raw mode on our terminal (always restored),
// stdin -> master, master -> stdout, and our window size followed on every SIGWINCH.

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import tty from 'node:tty'
import { SystemError, systemError } from '../errors'
import { native } from '../sys/native'

/** The caller's --console-socket (or --pidfd-socket), connected: the executor sends the master to it. */
export function connectCallerSocket(socketPath: string, flag = '--console-socket'): number {
  try {
    return native().unixConnect(path.resolve(socketPath))
  } catch (err) {
    throw systemError(`connect to ${flag}`, err, { path: path.resolve(socketPath) })
  }
}

/** Where runt itself receives a master: give `executorEnd` (or `path`) to the launch, then receive(). */
export interface ConsoleReceiver {
  /** the fd the executor sends on (socketpair mode), or -1 */
  executorEnd: number
  /** a socket path the launch connects to (listener mode), or '' */
  path: string
  /** the master, once the launch has returned (it is sent before the process runs) */
  receive(): number
  close(): void
}

/** A socketpair: for launches runt makes itself (exec). */
export function consolePair(): ConsoleReceiver {
  const [executorEnd, ourEnd] = native().socketPair()
  return {
    executorEnd,
    path: '',
    receive: () => receiveMaster(ourEnd),
    close: () => {
      closeQuietly(executorEnd)
      closeQuietly(ourEnd)
    },
  }
}

/** A listening socket in a private directory: for launches that take a socket path (run). */
export function consoleListener(): ConsoleReceiver {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-console-'))
  const socketPath = path.join(dir, 'console.sock')
  let listenFd = -1
  let conn: number | null = null
  const close = () => {
    if (conn !== null) closeQuietly(conn)
    if (listenFd >= 0) closeQuietly(listenFd)
    fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    listenFd = native().unixListen(socketPath)
  } catch (err) {
    close()
    throw systemError('listen for the container terminal', err, { path: socketPath })
  }
  return {
    executorEnd: -1,
    path: socketPath,
    receive: () => {
      conn = native().unixAccept(listenFd)
      if (conn === null) throw new SystemError('the container process did not connect to receive its terminal', { path: socketPath })
      return receiveMaster(conn)
    },
    close,
  }
}

function receiveMaster(fd: number): number {
  // the executor sent the master before the process ran: it must be queued by now
  if (!native().pollIn(fd, 0)) throw new SystemError('the container process did not send its terminal')
  try {
    return native().recvFd(fd).fd
  } catch (err) {
    throw systemError('receive the container terminal', err)
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd)
  } catch { /* already closed */ }
}

/**
 * Set a master up for relaying, before the process can write to it: "\n" stays "\n"
 * (our own terminal does the output processing), and it has our window size.
 */
export function prepareMaster(master: number): void {
  native().clearOnlcr(master)
  const size = ourWindowSize()
  if (size) native().setWinsize(master, size.rows, size.cols)
}

/** after the process ended, output still arriving is read until this long passes without any */
const DRAIN_QUIET_MS = 100

/**
 * Relay runt's stdio to the pty master until the process has exited and its output is
 * read (EOF/EIO on the master, or a quiet moment when something else still holds the
 * pty). Returns the process's exit status; our terminal is back in its mode on return.
 */
export async function relayTerminal(master: number, exited: Promise<number>): Promise<number> {
  // a TTY stream (net.Socket refuses tty fds); it writes as well as it reads
  const pty = new tty.ReadStream(master, { allowHalfOpen: true })
  const stopResizing = followWindowSize(master)
  const restoreMode = rawStdin()
  let lastOutput = Date.now()
  const ended = new Promise<void>(resolve => {
    pty.on('end', resolve)
    pty.on('close', () => resolve())
    // EIO: every holder of the pty's other side has closed it
    pty.on('error', () => resolve())
  })
  pty.on('data', chunk => {
    lastOutput = Date.now()
    process.stdout.write(chunk)
  })
  const input = process.stdin
  const forward = (chunk: Buffer) => {
    if (!pty.destroyed) pty.write(chunk)
  }
  input.on('data', forward)
  input.on('error', () => {}) // a closed stdin only ends the input side
  try {
    const status = await exited
    await Promise.race([ended, quietFor(() => lastOutput)])
    return status
  } finally {
    input.off('data', forward)
    input.pause()
    restoreMode()
    stopResizing()
    pty.destroy()
  }
}

/** Resolves once no output has arrived for DRAIN_QUIET_MS. */
function quietFor(lastOutput: () => number): Promise<void> {
  return new Promise(resolve => {
    const check = () => {
      const idle = Date.now() - lastOutput()
      if (idle >= DRAIN_QUIET_MS) resolve()
      else setTimeout(check, DRAIN_QUIET_MS - idle)
    }
    setTimeout(check, DRAIN_QUIET_MS)
  })
}

/** Put our stdin's terminal in raw mode (keys go to the container as typed); returns the undo. */
function rawStdin(): () => void {
  const stdin = process.stdin
  if (!stdin.isTTY) return () => {}
  stdin.setRawMode(true)
  const restore = () => {
    stdin.setRawMode(false)
    process.off('exit', restore)
  }
  // should anything bypass the finally above, the terminal is still restored
  process.on('exit', restore)
  return restore
}

/** Our terminal's size: the first of stdin, stdout, stderr that is one. */
function ourWindowSize(): { rows: number; cols: number } | null {
  for (const fd of [0, 1, 2]) {
    const size = native().getWinsize(fd)
    if (size) return size
  }
  return null
}

/** Give the master our window size now and after every SIGWINCH; returns the undo. */
function followWindowSize(master: number): () => void {
  const resize = () => {
    const size = ourWindowSize()
    if (!size) return
    try {
      native().setWinsize(master, size.rows, size.cols)
    } catch { /* the pty is gone: nothing left to resize */ }
  }
  resize()
  process.on('SIGWINCH', resize)
  return () => process.off('SIGWINCH', resize)
}
