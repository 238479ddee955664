// runt-planner: the warm half of the fast path (bin/runt-planner <dir>). The front-end
// (bin/runt, native/front/) starts it on demand; it listens on <dir>/planner.sock and
// exits when idle for RUNT_PLANNER_IDLE_MS (default 60 s) or when a caller runs another
// build. Each planner process serves one call at a time; RUNT_PLANNER_PROCESSES (default
// 2) of them accept on the same socket, so a slow call (a hook, a wait for READY=1) does
// not hold up the others. The first holds <dir>/planner.lock and owns the socket's name;
// the others end with it. It keeps nothing that is not on disk: kill -9 at any moment
// loses nothing (a call cut short is recovered as after a killed runt).
//
// Under systemd, socket activation hands it the listening socket as fd 3 (LISTEN_FDS=1);
// see README.md for the units.

import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { loadAllCommands } from '../cli/program'
import { schemaValidators } from '../spec/validate'
import { native } from '../sys/native'
import { identityOf } from './peer'
import { serveConnection, type PlannerSelf } from './request'

const DEFAULT_IDLE_MS = 60_000
const DEFAULT_PROCESSES = 2
const WORKER_FLAG = '--worker'
/** callers in a row sent away as unlike this planner before it gives way */
const UNLIKE_CALLERS = 8

/** "dev:ino:mtime:size" of this planner's code, as the front-end computes it for dist/planner.js */
export function buildId(file: string): string {
  const st = fs.statSync(file, { bigint: true })
  const ns = st.mtimeNs % 1_000_000_000n
  const sec = st.mtimeNs / 1_000_000_000n
  return `${st.dev}:${st.ino}:${sec}.${ns.toString().padStart(9, '0')}:${st.size}`
}

/** The socket directory: ours alone (created 0700 when missing). */
function ownDirectory(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  const st = fs.lstatSync(dir)
  if (!st.isDirectory() || st.uid !== process.geteuid?.() || (st.mode & 0o022) !== 0) {
    throw new Error(`${dir}: not a directory of this user that only it may write`)
  }
}

/** systemd passed the listening socket (socket activation): it stays systemd's. */
function activated(): boolean {
  return process.env.LISTEN_FDS === '1' && process.env.LISTEN_PID === String(process.pid)
}

/** The listening socket: systemd's, or one bound here under the lock. */
function listeningSocket(dir: string): number | null {
  if (activated()) return 3
  const lock = fs.openSync(path.join(dir, 'planner.lock'), fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600)
  if (!native().flock(lock, true, false)) return null // another planner serves this directory
  const sock = path.join(dir, 'planner.sock')
  fs.rmSync(sock, { force: true })
  return native().seqpacketListen(sock, 64)
}

/** <dir>/planner.log: when each planner process starts and why it ends (its stderr is /dev/null). */
function note(dir: string, what: string): void {
  try {
    const file = path.join(dir, 'planner.log')
    if ((fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 1 << 20) fs.truncateSync(file)
    fs.appendFileSync(file, `${new Date().toISOString()} ${process.pid} ${what}\n`, { mode: 0o600 })
  } catch {
    // a full or read-only directory: nothing to note in
  }
}

/**
 * More planner processes on the same listening socket (fd 3 in each). Each also gets the
 * end of a pipe (fd 4) whose other end only we hold: at its EOF we are gone, and the
 * worker leaves too, but never in the middle of a call.
 */
function startWorkers(dir: string, listen: number): void {
  const count = Number(process.env.RUNT_PLANNER_PROCESSES) || DEFAULT_PROCESSES
  const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', RUNT_PLANNER_IDLE_MS: process.env.RUNT_PLANNER_IDLE_MS ?? '' }
  for (let i = 1; i < count; i++) {
    const worker = spawn(process.execPath, [__filename, dir, WORKER_FLAG], { stdio: ['ignore', 'ignore', 'ignore', listen, 'pipe'], env })
    worker.unref()
    ;(worker.stdio[4] as unknown as { unref(): void }).unref()
  }
}

/**
 * Accept and serve calls until idle; 'restart' when a caller runs another build; 'unlike'
 * when the callers keep being unlike this planner (it was started by an odd one, say with
 * fewer capabilities): it makes way for one that the next caller starts; 'orphaned' when
 * the planner that started this worker is gone (parent: the EOF of its pipe).
 */
async function serve(listen: number, parent: number | null = null): Promise<'idle' | 'restart' | 'unlike' | 'orphaned'> {
  const self: PlannerSelf = { build: buildId(__filename), identity: identityOf('/proc/self') }
  loadAllCommands()
  schemaValidators()
  const idle = Number(process.env.RUNT_PLANNER_IDLE_MS) || DEFAULT_IDLE_MS
  const watched = parent === null ? [listen] : [listen, parent]
  let turnedAway = 0
  for (;;) {
    const ready = native().pollFirst(watched, idle)
    if (ready < 0) return 'idle'
    if (ready === 1) return 'orphaned'
    const conn = native().acceptPacket(listen)
    if (conn === null) continue // another planner process took it
    const done = await serveConnection(conn, self)
    if (done === 'restart') return 'restart'
    turnedAway = done === 'unlike' ? turnedAway + 1 : 0
    if (turnedAway >= UNLIKE_CALLERS) return 'unlike'
  }
}

async function main(dir: string): Promise<number> {
  if (process.argv[3] === WORKER_FLAG) {
    // a worker leaves with the planner that started it, and never touches the socket's name
    note(dir, 'worker starts')
    note(dir, `worker ends: ${await serve(3, 4)}`)
    return 0
  }
  ownDirectory(dir)
  const listen = listeningSocket(dir)
  if (listen === null) return 0
  const pidFile = path.join(dir, 'planner.pid')
  fs.writeFileSync(pidFile, `${process.pid}\n`)
  note(dir, 'starts')
  startWorkers(dir, listen)
  note(dir, `ends: ${await serve(listen)}`)
  // leave: a caller from now on finds no socket and starts a new planner (or systemd does)
  if (!activated()) fs.rmSync(path.join(dir, 'planner.sock'), { force: true })
  fs.rmSync(pidFile, { force: true })
  return 0
}

const dir = process.argv[2] ?? '/run/runt-planner'
const fail = (err: unknown) => {
  note(dir, `fails: ${String((err as Error)?.stack ?? err).replace(/\n/g, ' | ')}`)
  process.exit(1)
}
process.on('uncaughtException', fail)
process.on('unhandledRejection', fail)
main(dir).then(code => process.exit(code), fail)
