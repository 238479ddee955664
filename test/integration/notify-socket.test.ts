// NOTIFY_SOCKET as podman --sdnotify=container uses it: the container notifies a socket
// runt binds at /run/notify/notify.sock, and `start` (or `run -d`) returns once READY=1
// has been forwarded to the host's socket, followed by MAINPID.

import t from 'tap'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { containerSuite, tempDir, uniqueId } from './helpers'
import { sharedDir } from './cgroups-helpers'
import { shBundle } from './helpers'
import { native } from '../../src/sys/native'

const suite = containerSuite(t)

if (suite) {
  const { runt } = suite
  const dir = tempDir('runt-notify-')
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const helper = path.join(dir, 'sd-notify')
  const cc = spawnSync('cc', ['-static', '-O2', '-o', helper, path.join(__dirname, 'fixtures', 'sd-notify.c')], { encoding: 'utf8' })
  if (cc.status !== 0) throw new Error(`cannot build the sd-notify helper: ${cc.stderr}`)

  /** A host socket like systemd's, and everything it received so far. */
  function hostSocket(t: { teardown(fn: () => void): void }) {
    const socketPath = path.join(tempDir('runt-host-notify-'), 'notify.sock')
    const fd = native().unixDatagramBind(socketPath)
    t.teardown(() => {
      fs.closeSync(fd)
      fs.rmSync(path.dirname(socketPath), { recursive: true, force: true })
    })
    const received = () => {
      const out: string[] = []
      for (let m = native().receiveDatagram(fd); m !== null; m = native().receiveDatagram(fd)) out.push(m.toString())
      return out
    }
    return { env: { ...process.env, NOTIFY_SOCKET: socketPath }, received }
  }

  /** A container that runs script with the helper at /mnt/sd-notify and /mnt shared. */
  function notifyBundle(t: { teardown(fn: () => void): void }, script: string) {
    let shared = ''
    const bundle = shBundle(script, spec => { shared = sharedDir(spec) })
    fs.copyFileSync(helper, path.join(shared, 'sd-notify'))
    fs.chmodSync(path.join(shared, 'sd-notify'), 0o755)
    t.teardown(() => {
      fs.rmSync(bundle, { recursive: true, force: true })
      fs.rmSync(shared, { recursive: true, force: true })
    })
    return { bundle, shared }
  }

  t.test('start returns once READY=1 reached the host socket, then MAINPID; other messages stay inside', async t => {
    const host = hostSocket(t)
    const id = uniqueId('notify')
    const { bundle, shared } = notifyBundle(t,
      'echo "$NOTIFY_SOCKET" > /mnt/env; sleep 1; /mnt/sd-notify STATUS=warming; /mnt/sd-notify READY=1; sleep 30')
    const c = runt(['create', '-b', bundle, id], { env: host.env })
    t.equal(c.status, 0, c.stderr)
    const s = runt(['start', id], { env: host.env })
    t.equal(s.status, 0, s.stderr)
    const pid = JSON.parse(runt(['state', id]).stdout).pid
    t.same(host.received(), ['READY=1\n', `MAINPID=${pid}\n`], 'already there when start returns')
    t.equal(fs.readFileSync(path.join(shared, 'env'), 'utf8'), '/run/notify/notify.sock\n', 'the container\'s NOTIFY_SOCKET')
    t.equal(runt(['delete', '--force', id]).status, 0)
  })

  t.test('a container that stops without READY=1: start returns, nothing is forwarded', async t => {
    const host = hostSocket(t)
    const id = uniqueId('notify-never')
    const { bundle } = notifyBundle(t, '/mnt/sd-notify STATUS=giving-up')
    t.equal(runt(['create', '-b', bundle, id], { env: host.env }).status, 0)
    const s = runt(['start', id], { env: host.env })
    t.equal(s.status, 0, s.stderr)
    t.same(host.received(), [])
    t.equal(runt(['delete', '--force', id]).status, 0)
  })

  t.test('run -d: READY=1 is forwarded before run returns', async t => {
    const host = hostSocket(t)
    const id = uniqueId('notify-run')
    const { bundle } = notifyBundle(t, 'sleep 1; /mnt/sd-notify READY=1; sleep 30')
    const r = runt(['run', '-d', '-b', bundle, id], { env: host.env })
    t.equal(r.status, 0, r.stderr)
    t.same(host.received()[0], 'READY=1\n')
    t.equal(runt(['delete', '--force', id]).status, 0)
  })
}
