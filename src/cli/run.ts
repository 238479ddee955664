// runt run <id>: create and start a container. In the foreground runt waits for the
// container's process (relaying its terminal when process.terminal is set), forwards
// signals to it, returns its exit status (128+signal when it was killed) and deletes
// the container unless --keep.

import fs from 'node:fs'
import path from 'node:path'
import type { GlobalOptions } from './context'
import { createContainer } from '../runtime/create-container'
import { openContainer } from '../runtime/container'
import { destroyContainer } from '../runtime/destroy'
import { hideFromContainers, superviseForeground } from '../runtime/foreground'
import { consoleListener, prepareMaster } from '../runtime/console'
import { releaseInit } from '../runtime/exec-fifo'
import { stdioMode, type StdioMode } from '../runtime/terminal-mode'
import { runPoststart } from '../runtime/poststart'
import { NotifyProxy } from '../runtime/notify-socket'
import { createFlags } from './flag-values'

type Flags = ReturnType<typeof createFlags>

export async function run(g: GlobalOptions, [id]: string[], opts: Record<string, unknown>): Promise<number> {
  const flags = createFlags(opts)
  const detached = opts.detach === true
  const keep = opts.keep === true
  const mode = stdioMode(wantsTerminal(flags.bundle), flags.consoleSocket, detached)
  if (!detached) hideFromContainers()
  const { pid, master } = startContainer(g, id, flags, mode, keep)
  if (detached) return 0

  const status = await superviseForeground(pid, master)
  if (!keep) removeContainer(g, id)
  return status
}

/** Create the container with its process starting at once; poststart hooks done. */
function startContainer(g: GlobalOptions, id: string, flags: Flags, mode: StdioMode, keep: boolean): { pid: number; master: number | null } {
  const receiver = mode === 'foreground-tty' ? consoleListener() : null
  try {
    // A foreground terminal comes to a socket of runt's own (to the create, a detached
    // terminal with a console socket), and the process waits on the exec fifo until the
    // master is set up, as after `create`.
    const created = receiver
      ? createContainer(g, id, { ...flags, consoleSocket: receiver.path, waitForStart: true, detached: true })
      : createContainer(g, id, { ...flags, waitForStart: false, detached: mode === 'detached-tty' || mode === 'detached-pass' })
    // the notify socket (NOTIFY_SOCKET) exists before the process can run
    const notify = created.notify ?? (receiver ? NotifyProxy.listen(created.handle.dir, process.env.NOTIFY_SOCKET) : null)
    try {
      let master: number | null = null
      if (receiver) {
        master = receiver.receive()
        prepareMaster(master)
        releaseInit(created.handle.dir, created.record)
      }
      runPoststart(created.record)
      notify?.waitForReady(created.record)
      return { pid: created.pid, master }
    } catch (err) {
      if (!keep) destroyContainer({ id, handle: created.handle, record: created.record, status: 'running' })
      throw err
    } finally {
      notify?.close()
      created.handle.release()
    }
  } finally {
    receiver?.close()
  }
}

function removeContainer(g: GlobalOptions, id: string): void {
  const c = openContainer(g, id)
  try {
    destroyContainer(c)
  } finally {
    c.handle.release()
  }
}

/**
 * process.terminal of the bundle's config, read early to pick the stdio mode; a config
 * that cannot be read says false here, and the create reports what is wrong with it.
 */
function wantsTerminal(bundle: string): boolean {
  try {
    return JSON.parse(fs.readFileSync(path.resolve(bundle || '.', 'config.json'), 'utf8'))?.process?.terminal === true
  } catch {
    return false
  }
}
