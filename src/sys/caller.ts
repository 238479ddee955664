// The process a command works for. On the direct path that is this very process. In the
// planner (src/planner/) it is the front-end that sent the request: the command writes to
// its stdout and stderr, reads its stdin, places a relative cgroupsPath below its cgroup,
// and asks it to start (and reap) the executor, so the container's init is its child.

import fs from 'node:fs'
import { native, type WaitResult } from './native'

/** Starting the executor and reaping children: the addon here, or the front-end. */
export interface ProcessHost {
  spawnExecutor(execPath: string, fifoFd: number, consoleSocketFd: number, preserveFds: number): { pid: number; syncFd: number }
  waitPid(pid: number, nohang: boolean): WaitResult | null
}

export interface Caller {
  pid: number
  stdin: number
  stdout: number
  stderr: number
  processes: ProcessHost
}

let current: Caller | null = null
let generation = 0

/** Work for this caller from now on (null: for this process again). */
export function setCaller(caller: Caller | null): void {
  current = caller
  generation++
}

/** Changes with every setCaller: what was read about one caller is not reused for the next. */
export function callerGeneration(): number {
  return generation
}

/** A file of the caller's /proc entry, e.g. "cgroup" */
export function callerProcFile(name: string): string {
  return current ? `/proc/${current.pid}/${name}` : `/proc/self/${name}`
}

/** Who starts and reaps the executor for this command. */
export function processHost(): ProcessHost {
  return current?.processes ?? native()
}

/** The caller's stdin as a descriptor. */
export function callerStdin(): number {
  return current?.stdin ?? 0
}

/** The caller's stdout when it is not this process's (the planner serves a front-end). */
export function remoteStdout(): number | null {
  return current?.stdout ?? null
}

/** Write text to the caller's stderr. */
export function writeErr(text: string): void {
  writeAll(current?.stderr ?? 2, text)
}

/** All of text to fd, waiting out EAGAIN (a caller may hand us a non-blocking pipe). */
export function writeAll(fd: number, text: string): void {
  let buf = Buffer.from(text, 'utf8')
  const pause = new Int32Array(new SharedArrayBuffer(4))
  while (buf.length > 0) {
    try {
      buf = buf.subarray(fs.writeSync(fd, buf))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
      Atomics.wait(pause, 0, 0, 1)
    }
  }
}
