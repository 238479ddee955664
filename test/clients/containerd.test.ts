// containerd drives the runtime as it drives runc: a private containerd, a hand-made
// OCI image imported once, and `ctr` through the runc v2 shim with --runc-binary set to
// a wrapper that records every runtime call. RUNT_CLIENT_RUNTIME=runc proves the harness.

import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { PrivateContainerd } from './containerd'
import { writeOciArchive } from './image'
import {
  MountNamespace, ROOTFS, RecordedRuntime, call, clientSkipReason, eventually, removeCgroupParents, removeTempDir, saveSummary, subcommand, tempDir,
} from './helpers'

const IMAGE = 'docker.io/runt/busybox:clients'
const IMAGE_CONFIG = {
  env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'GREETING=hello from the image'],
  cmd: ['sh', '-c', 'echo "$GREETING"'],
  workingDir: '/tmp',
  user: 'nobody',
}

const skip = clientSkipReason(['containerd', 'ctr', 'containerd-shim-runc-v2', 'script', 'unshare', 'nsenter'])
if (skip) {
  t.plan(0, skip)
} else {
  const dir = tempDir('runt-containerd-')
  const runtime = new RecordedRuntime(dir)
  runtime.abbreviate(path.join(dir, 'state', 'io.containerd.runtime.v2.task', 'runt-clients'), '<bundles>')
  const mountNs = new MountNamespace()
  const containerd = new PrivateContainerd(dir, mountNs)
  // Relative: the runtime puts containers below its own cgroup (never out of ours).
  const cgroupParent = `runt-clients-${process.pid}`
  const runtimeFlags = ['--runc-binary', runtime.launcher, '--runc-root', path.join(dir, 'runtime-root')]
  const ctr = containerd.ctr.bind(containerd)

  /** `ctr run` with our runtime; options before the image, the command after the id. */
  const fifoDir = ['--fifo-dir', path.join(dir, 'fifo')]
  const ctrRun = (opts: string[], id: string, cmd: string[] = []) =>
    ctr(['run', ...runtimeFlags, ...fifoDir, '--cgroup', `${cgroupParent}/${id}`, ...opts, IMAGE, id, ...cmd])

  /** The task's status as `ctr task ls` shows it, or undefined when there is none. */
  const taskStatus = (id: string): string | undefined => {
    const line = ctr(['task', 'ls']).stdout.split('\n').find(l => l.split(/\s+/)[0] === id)
    return line?.trim().split(/\s+/)[2]
  }
  const taskPid = (id: string): number => Number(ctr(['task', 'ls']).stdout.split('\n').find(l => l.split(/\s+/)[0] === id)?.trim().split(/\s+/)[1])

  t.teardown(async () => {
    for (const id of ctr(['task', 'ls', '-q']).stdout.split('\n').filter(Boolean)) {
      ctr(['task', 'kill', '-s', 'SIGKILL', id])
      await eventually(() => taskStatus(id) !== 'RUNNING', 50)
      ctr(['task', 'delete', '-f', id])
    }
    for (const id of ctr(['containers', 'ls', '-q']).stdout.split('\n').filter(Boolean)) ctr(['containers', 'rm', id])
    await containerd.stop()
    mountNs.close()
    t.comment(`runtime calls (${runtime.name}), also in ${saveSummary(runtime, 'containerd')}:\n${runtime.summary()}`)
    removeCgroupParents(cgroupParent)
    removeTempDir(dir)
  })

  t.before(async () => {
    await mountNs.open()
    await containerd.start()
    const archive = path.join(dir, 'image.tar')
    writeOciArchive(ROOTFS, archive, IMAGE, IMAGE_CONFIG)
    const imported = ctr(['images', 'import', archive])
    if (imported.status !== 0) throw new Error(`ctr images import failed: ${imported.stderr}`)
  })

  t.test('ctr run --rm: the image command, its stdout and exit status', async t => {
    const r = ctrRun(['--rm'], 'hello')
    t.equal(r.stderr, '')
    t.equal(r.stdout, 'hello from the image\n')
    t.equal(r.status, 0)
    const failing = ctrRun(['--rm'], 'exit7', ['sh', '-c', 'echo to stderr >&2; exit 7'])
    t.equal(failing.status, 7, 'ctr exits with the container\'s status')
    t.equal(failing.stderr, 'to stderr\n')
    t.equal(ctr(['containers', 'ls', '-q']).stdout, '', '--rm leaves no container')
  })

  t.test('env, working directory and user come from the image config', async t => {
    const r = ctrRun(['--rm'], 'imagecfg', ['sh', '-c', 'echo "$GREETING"; pwd; id -u; id -g; id -un'])
    t.equal(r.stdout, 'hello from the image\n/tmp\n65534\n65534\nnobody\n', r.stderr)
    t.equal(r.status, 0)
  })

  t.test('a read-only bind mount', async t => {
    const src = tempDir('runt-bind-')
    t.teardown(() => fs.rmSync(src, { recursive: true, force: true }))
    fs.chmodSync(src, 0o777) // the image's user (nobody) could write here, were it not read-only
    fs.writeFileSync(path.join(src, 'note'), 'from the host\n', { mode: 0o644 })
    const r = ctrRun(['--rm', '--mount', `type=bind,src=${src},dst=/data,options=rbind:ro`], 'bind',
      ['sh', '-c', 'cat /data/note; touch /data/new || echo refused'])
    t.match(r.stdout, /^from the host\n/)
    t.match(r.stderr, /touch: \/data\/new: Read-only file system/)
    t.match(r.stdout, /refused\n$/)
    t.equal(r.status, 0)
    t.notOk(fs.existsSync(path.join(src, 'new')), 'nothing written to the host directory')
  })

  t.test('--memory-limit is the container\'s memory cgroup limit', async t => {
    // ctr's default spec has no cgroup mount (CRI adds one): ask for it as CRI does.
    const cgroupMount = 'type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:noexec:nodev'
    const r = ctrRun(['--rm', '--memory-limit', String(64 * 1024 * 1024), '--mount', cgroupMount], 'memlimit',
      ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes'])
    t.equal(r.stdout, `${64 * 1024 * 1024}\n`, r.stderr)
    t.equal(r.status, 0)
  })

  t.test('a missing executable: containerd reports the runtime\'s message naming the path', async t => {
    const r = ctrRun(['--rm'], 'noexec', ['/no/such/binary'])
    t.not(r.status, 0)
    t.match(r.stderr, '/no/such/binary', 'the message names the missing path')
    t.notMatch(r.stderr, 'unable to retrieve OCI runtime error')
    t.comment(`ctr said: ${r.stderr.trim()}`)
    ctr(['containers', 'rm', 'noexec'])
  })

  t.test('a detached task: exec, ps, pause/resume, kill, delete', async t => {
    const id = 'long'
    // TERM ends the loop with status 3 (pid 1 ignores signals it has no handler for).
    const script = 'trap "exit 3" TERM; echo ready > /tmp/ready; while :; do sleep 1 & wait; done'
    const started = ctrRun(['-d', '--memory-limit', String(96 * 1024 * 1024)], id, ['sh', '-c', script])
    t.equal(started.status, 0, started.stderr)
    t.equal(taskStatus(id), 'RUNNING')
    const pid = taskPid(id)
    t.ok(pid > 0, 'ctr task ls shows the init pid')

    await t.test('the init sits in the container cgroup, with the limit (from the host)', async t => {
      const memoryLine = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find(l => /^\d+:memory:/.test(l)) ?? ''
      const group = memoryLine.split(':')[2]
      t.match(group, new RegExp(`/${cgroupParent}/${id}$`))
      t.equal(fs.readFileSync(`/sys/fs/cgroup/memory${group}/memory.limit_in_bytes`, 'utf8'), `${96 * 1024 * 1024}\n`)
    })

    await t.test('ctr task exec (no tty): output and exit status', async t => {
      const r = ctr(['task', 'exec', ...fifoDir, '--exec-id', 'e1', id, 'sh', '-c', 'cat /tmp/ready; echo "$GREETING"; pwd; id -u'])
      t.equal(r.stdout, 'ready\nhello from the image\n/tmp\n65534\n', r.stderr)
      t.equal(r.status, 0)
      const exit5 = ctr(['task', 'exec', ...fifoDir, '--exec-id', 'e2', id, 'sh', '-c', 'exit 5'])
      t.equal(exit5.status, 5, exit5.stderr)
    })

    await t.test('ctr task exec -t: a terminal inside', async t => {
      // ctr takes its console from its own stdin: give it one with script(1).
      const command = `ctr --address ${containerd.socket} --namespace ${containerd.namespace} task exec -t --fifo-dir ${fifoDir[1]} --exec-id e3 ${id} sh -c 'tty; echo on a tty'`
      const r = call('script', ['-qefc', command, '/dev/null'])
      // (the tty may first echo "^@", script's end of stdin; ctr may add a resize warning
      // when the process ends before its first resize: neither is asserted)
      t.match(r.stdout, /\/dev\/pts\/\d+\r*\non a tty\r*\n/, r.stderr)
      t.equal(r.status, 0)
    })

    await t.test('ctr task ps: the container\'s processes', async t => {
      const r = ctr(['task', 'ps', id])
      t.equal(r.status, 0, r.stderr)
      const pids = r.stdout.split('\n').slice(1).filter(Boolean).map(l => Number(l.trim().split(/\s+/)[0]))
      t.ok(pids.includes(pid), `the init ${pid} is listed: ${r.stdout}`)
    })

    await t.test('ctr task pause / resume', async t => {
      const paused = ctr(['task', 'pause', id])
      t.equal(paused.status, 0, paused.stderr)
      t.equal(taskStatus(id), 'PAUSED')
      const resumed = ctr(['task', 'resume', id])
      t.equal(resumed.status, 0, resumed.stderr)
      t.equal(taskStatus(id), 'RUNNING')
    })

    await t.test('ctr task kill (SIGTERM), the task stops with the trap\'s status, delete', async t => {
      const killed = ctr(['task', 'kill', id])
      t.equal(killed.status, 0, killed.stderr)
      t.ok(await eventually(() => taskStatus(id) === 'STOPPED'), 'the task stops')
      const deleted = ctr(['task', 'delete', id])
      t.equal(deleted.status, 0, deleted.stderr)
      t.match(deleted.stderr, 'task long exit with non-zero exit code 3', 'ctr task delete reports the exit status')
      t.equal(taskStatus(id), undefined, 'no task left')
      const removed = ctr(['containers', 'rm', id])
      t.equal(removed.status, 0, removed.stderr)
      t.equal(ctr(['containers', 'ls', '-q']).stdout, '')
    })
  })

  t.test('what the shim asked of the runtime', async t => {
    const creates = runtime.callsOf('create')
    t.ok(creates.length >= 5, 'one create per container')
    for (const inv of creates) {
      const bundle = inv.argv[inv.argv.indexOf('--bundle') + 1]
      t.match(inv.argv, ['--root', String, '--log', `${bundle}/log.json`, '--log-format', 'json'], 'globals as go-runc renders them')
    }
    const commands = new Set(runtime.invocations().map(inv => subcommand(inv.argv)))
    for (const c of ['create', 'start', 'exec', 'ps', 'pause', 'resume', 'kill', 'delete']) t.ok(commands.has(c), `the shim called ${c}`)
  })
}
