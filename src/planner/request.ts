// One call served by the planner: the handshake, then the command run here as the
// front-end's process would run it (its argv, environment, umask, working directory and
// stdio), with the executor started by the front-end. A call that needs a runtime process
// in the foreground (run and exec without --detach, events), or that the planner must not
// serve, is sent back to the direct path before anything is done.

import fs from 'node:fs'
import { execute, parse, type ParsedCall } from '../cli/program'
import { reportFailure, startLogging } from '../cli/report'
import { closeLogging } from '../log'
import { setCaller } from '../sys/caller'
import { native } from '../sys/native'
import { peerDifference } from './peer'
import { Fp, PROTOCOL, cstrings, receive, send, splitCStrings, words } from './protocol'
import { FrontEndProcesses } from './remote-processes'

export interface PlannerSelf {
  /** the build this planner runs (see buildId) */
  build: string
  /** identityOf('/proc/self') */
  identity: Map<string, string>
}

interface Request {
  umask: number
  argv: string[]
  env: Record<string, string>
}

function decodeRequest(body: Buffer): Request {
  const umask = body.readUInt32LE(0)
  const argc = body.readUInt32LE(4)
  const envc = body.readUInt32LE(8)
  const strings = splitCStrings(body, 12)
  const argv = strings.slice(0, argc)
  const env: Record<string, string> = {}
  for (const entry of strings.slice(argc, argc + envc)) {
    const eq = entry.indexOf('=')
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1)
  }
  return { umask, argv, env }
}

/** Why this call takes the direct path, or null when the planner runs it. */
function directReason(call: ParsedCall | null, env: Record<string, string>): string | null {
  if (env.RUNT_TEST_STOP_AT && env.RUNT_TEST_STOP_PLANNER !== '1') return 'RUNT_TEST_STOP_AT stops the runtime process'
  // another runtime tree (tests): the front-end would still start this tree's executor
  if (env.RUNT_PROJECT_ROOT_OVERRIDE) return 'RUNT_PROJECT_ROOT_OVERRIDE names another runtime'
  if (call === null) return null
  if ((call.command === 'run' || call.command === 'exec') && call.opts.detach !== true) return `${call.command} in the foreground`
  if (call.command === 'events') return 'events streams in the foreground'
  return null
}

/**
 * Serve one connection: 'restart' when the caller runs another build (this planner must
 * go), 'unlike' when the caller was sent away for being unlike the planner.
 */
export async function serveConnection(conn: number, self: PlannerSelf): Promise<'served' | 'restart' | 'unlike'> {
  try {
    const cred = native().peerCred(conn)
    if (cred.uid !== process.geteuid?.()) return 'served'
    const hello = receive(conn)
    if (hello === null || hello.type !== Fp.HELLO) return 'served'
    const [protocol, build] = splitCStrings(hello.body)
    if (protocol !== PROTOCOL || build !== self.build) {
      send(conn, Fp.RESTART, cstrings('the planner runs another build'))
      return 'restart'
    }
    const unlike = peerDifference(self.identity, cred.pid)
    if (unlike !== null) {
      send(conn, Fp.DIRECT, cstrings(unlike))
      return 'unlike'
    }
    send(conn, Fp.READY)
    const req = receive(conn)
    if (req === null) return 'served'
    try {
      if (req.type !== Fp.REQUEST || req.fds.length !== 3) return 'served'
      await runRequest(conn, cred.pid, decodeRequest(req.body), req.fds)
    } finally {
      for (const fd of req.fds) fs.closeSync(fd)
    }
  } catch {
    // the front-end went away mid-call; what was done is on disk, as after a killed runt
  } finally {
    fs.closeSync(conn)
  }
  return 'served'
}

async function runRequest(conn: number, pid: number, req: Request, [stdin, stdout, stderr]: number[]): Promise<void> {
  const ownEnv = process.env
  let ownUmask = 0o022
  let call: ParsedCall | null = null
  let code: number
  setCaller({ pid, stdin, stdout, stderr, processes: new FrontEndProcesses(conn) })
  try {
    process.env = req.env
    ownUmask = process.umask(req.umask)
    try {
      process.chdir(`/proc/${pid}/cwd`)
    } catch {
      send(conn, Fp.DIRECT, cstrings("the caller's working directory is out of reach"))
      return
    }
    try {
      call = parse(req.argv)
      const direct = directReason(call, req.env)
      if (direct !== null) {
        send(conn, Fp.DIRECT, cstrings(direct))
        return
      }
      if (call === null) {
        code = 0
      } else {
        startLogging(call.globals)
        code = await execute(call)
      }
    } catch (err) {
      code = reportFailure(err, call?.globals, req.argv)
    }
    send(conn, Fp.EXIT, words(code))
  } finally {
    closeLogging()
    setCaller(null)
    process.env = ownEnv
    process.umask(ownUmask)
    process.chdir('/')
  }
}
