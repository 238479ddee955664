// A private containerd for one test run: its own config, root, state and socket under a
// temp dir, no CRI plugin, no network. Stopped by pid; then the
// shims it started (found by its socket address) are stopped too.
// (containerd 1.6's tasks service needs the v1 runtime plugin, so only CRI is disabled.)

import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { MountNamespace, call, eventually, isAlive, processesMentioning, type Result } from './helpers'

function configToml(dir: string, socket: string): string {
  const q = (s: string) => JSON.stringify(s)
  return [
    'version = 2',
    `root = ${q(path.join(dir, 'root'))}`,
    `state = ${q(path.join(dir, 'state'))}`,
    'disabled_plugins = [',
    '  "io.containerd.grpc.v1.cri",',
    '  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",',
    '  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",',
    '  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing",',
    ']',
    '[grpc]',
    `  address = ${q(socket)}`,
    '[ttrpc]',
    `  address = ${q(socket + '.ttrpc')}`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${q(path.join(dir, 'opt'))}`,
    '',
  ].join('\n')
}

/**
 * Host directories the shim uses whatever the config says (its sockets; ctr's default
 * fifo dir): removed at the end if this run made them and they are empty. Deepest first.
 */
const HOST_DIRS = ['/run/containerd/s', '/run/containerd/fifo', '/run/containerd']

export class PrivateContainerd {
  readonly socket: string
  readonly logFile: string
  private daemon: ChildProcess | null = null
  private madeDirs: string[] = []

  /** ns: where the daemon, and so its shims and their mounts, live */
  constructor(readonly dir: string, readonly ns: MountNamespace, readonly namespace = 'runt-clients') {
    this.socket = path.join(dir, 'containerd.sock')
    this.logFile = path.join(dir, 'containerd.log')
  }

  async start(): Promise<void> {
    this.madeDirs = HOST_DIRS.filter(d => !fs.existsSync(d))
    const config = path.join(this.dir, 'config.toml')
    fs.writeFileSync(config, configToml(this.dir, this.socket))
    const log = fs.openSync(this.logFile, 'a')
    const [cmd, args] = this.ns.wrap('containerd', ['--config', config])
    this.daemon = spawn(cmd, args, { stdio: ['ignore', log, log] })
    fs.closeSync(log)
    const up = await eventually(() => this.daemon?.exitCode === null && this.ctr(['version']).status === 0, 100)
    if (!up) throw new Error(`private containerd did not come up; its log:\n${this.log()}`)
  }

  /** `ctr` against this containerd in its namespace. */
  ctr(args: string[], opts: Parameters<typeof call>[2] = {}): Result {
    return call('ctr', ['--address', this.socket, '--namespace', this.namespace, ...args], opts)
  }

  log(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8')
    } catch {
      return ''
    }
  }

  /** Stop the daemon by pid, then any shim still serving our socket (they outlive containerd). */
  async stop(): Promise<void> {
    const daemon = this.daemon
    if (daemon?.pid && daemon.exitCode === null) {
      daemon.kill('SIGTERM')
      if (!(await eventually(() => daemon.exitCode !== null || daemon.signalCode !== null, 50))) daemon.kill('SIGKILL')
    }
    for (const pid of processesMentioning(this.socket)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch { /* exited meanwhile */ }
      await eventually(() => !isAlive(pid), 20)
    }
    for (const d of this.madeDirs) {
      try {
        fs.rmdirSync(d)
      } catch { /* not empty: someone else's now */ }
    }
  }
}
