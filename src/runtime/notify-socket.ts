// systemd's readiness protocol through the container (runc's NOTIFY_SOCKET proxy, which
// podman --sdnotify=container relies on). When `create` runs with NOTIFY_SOCKET in its
// environment, the container gets the directory <state dir>/notify bound read-only at
// /run/notify and NOTIFY_SOCKET=/run/notify/notify.sock in its environment. `start`
// binds a datagram socket there before it releases the init, waits (without the
// container's lock) until the container sends READY=1 or stops, and forwards the
// message to the host's NOTIFY_SOCKET followed by MAINPID=<the init's host pid>.

import fs from 'node:fs'
import path from 'node:path'
import { systemError } from '../errors'
import type { Spec } from '../spec/types'
import type { ContainerRecord } from '../state/store'
import { native } from '../sys/native'
import { initIsAlive } from '../state/status'
import { removeFile } from '../sys/files'

const CONTAINER_DIR = '/run/notify'
const SOCKET_NAME = 'notify.sock'
const POLL_MS = 100

function notifyDir(stateDir: string): string {
  return path.join(stateDir, 'notify')
}

/** The spec to plan with: spec plus the notify directory's mount and NOTIFY_SOCKET in the process env. */
export function withNotifySocket(spec: Spec, stateDir: string): Spec {
  const dir = notifyDir(stateDir)
  fs.mkdirSync(dir, { mode: 0o755 })
  const out = structuredClone(spec)
  out.mounts = [...(out.mounts ?? []), {
    destination: CONTAINER_DIR, type: 'bind', source: dir, options: ['bind', 'nosuid', 'noexec', 'nodev', 'ro'],
  }]
  if (out.process) {
    out.process.env = [...(out.process.env ?? []).filter(e => !e.startsWith('NOTIFY_SOCKET=')),
      `NOTIFY_SOCKET=${path.posix.join(CONTAINER_DIR, SOCKET_NAME)}`]
  }
  return out
}

/** True when the line-separated sd_notify message says READY=1. */
export function saysReady(message: string): boolean {
  return message.split('\n').some(line => line === 'READY=1')
}

export class NotifyProxy {
  private constructor(private readonly fd: number, private readonly socketPath: string, private readonly host: string) {}

  /**
   * Bind the container's notify socket; null when there is nothing to proxy (no host
   * socket in this environment, or a container created without one).
   */
  static listen(stateDir: string, host: string | undefined): NotifyProxy | null {
    const dir = notifyDir(stateDir)
    if (!host || !fs.existsSync(dir)) return null
    const socketPath = path.join(dir, SOCKET_NAME)
    removeFile(socketPath)
    let fd: number
    try {
      fd = native().unixDatagramBind(socketPath)
      fs.chmodSync(socketPath, 0o777) // any user of the container may notify
    } catch (err) {
      throw systemError('bind the notify socket', err, { path: socketPath })
    }
    return new NotifyProxy(fd, socketPath, host)
  }

  /** Wait for READY=1 and forward it; returns early (forwarding nothing) when the container stops. */
  waitForReady(rec: ContainerRecord): void {
    for (;;) {
      if (native().pollIn(this.fd, POLL_MS)) {
        for (let m = native().receiveDatagram(this.fd); m !== null; m = native().receiveDatagram(this.fd)) {
          const message = m.toString('utf8').replace(/\n+$/, '')
          if (!saysReady(message)) continue
          this.forward(`${message}\n`)
          this.forward(`MAINPID=${rec.initPid}\n`)
          return
        }
      } else if (!initIsAlive(rec)) {
        return
      }
    }
  }

  close(): void {
    fs.closeSync(this.fd)
    removeFile(this.socketPath)
  }

  private forward(text: string): void {
    try {
      native().unixDatagramSend(this.host, Buffer.from(text, 'utf8'))
    } catch (err) {
      throw systemError('notify the host', err, { path: this.host })
    }
  }
}
