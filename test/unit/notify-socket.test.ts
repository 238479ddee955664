// NOTIFY_SOCKET: what the container is given, and which messages count as ready.
import t from 'tap'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { saysReady, withNotifySocket } from '../../src/runtime/notify-socket'
import type { Spec } from '../../src/spec/types'

t.test('the container gets the state dir\'s notify directory at /run/notify (ro) and NOTIFY_SOCKET in its env', async t => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-notify-unit-'))
  t.teardown(() => fs.rmSync(stateDir, { recursive: true, force: true }))
  const spec: Spec = { ociVersion: '1.3.0', process: { cwd: '/', args: ['sh'], env: ['PATH=/bin', 'NOTIFY_SOCKET=/elsewhere'] }, mounts: [] }
  const planned = withNotifySocket(spec, stateDir)
  t.same(planned.mounts, [{ destination: '/run/notify', type: 'bind', source: path.join(stateDir, 'notify'), options: ['bind', 'nosuid', 'noexec', 'nodev', 'ro'] }])
  t.same(planned.process?.env, ['PATH=/bin', 'NOTIFY_SOCKET=/run/notify/notify.sock'], 'one NOTIFY_SOCKET, ours')
  t.ok(fs.statSync(path.join(stateDir, 'notify')).isDirectory(), 'the directory exists')
  t.same(spec.mounts, [], 'the config itself is left as it was')
})

t.test('READY=1 on a line of its own is ready; other states are not', async t => {
  t.ok(saysReady('READY=1'))
  t.ok(saysReady('STATUS=up\nREADY=1\nMAINPID=5'))
  t.notOk(saysReady('STATUS=READY=1'))
  t.notOk(saysReady('READY=0'))
  t.notOk(saysReady('RELOADING=1'))
})
