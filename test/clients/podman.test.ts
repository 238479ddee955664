// podman (through conmon) drives the runtime as it drives runc: `podman --runtime
// <recording wrapper>` on the busybox rootfs, with its storage and run dirs under a temp
// dir. RUNT_CLIENT_RUNTIME=runc proves the harness.
//
// Podman names no --root for the runtime (its cleanup process would not repeat one), so
// the runtime keeps its default root (/run/runt, /run/runc); the containers are removed.

import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import {
  MountNamespace, ROOTFS, RecordedRuntime, call, clientSkipReason, processesMentioning, removeCgroupParents, removeTempDir, saveSummary, subcommand, tempDir,
} from './helpers'

const skip = clientSkipReason(['podman', 'conmon', 'unshare', 'nsenter'])
if (skip) {
  t.plan(0, skip)
} else {
  const dir = tempDir('runt-podman-')
  const runtime = new RecordedRuntime(dir)
  runtime.abbreviate(path.join(dir, 'storage', 'vfs-containers'), '<ctrs>')
  runtime.abbreviate(path.join(dir, 'run', 'vfs-containers'), '<run>')
  // Podman asks for JSON errors (--log-format=json --log <oci-log>) only from runtimes
  // whose basename it lists: runt must be added there, as a user would.
  const containersConf = path.join(dir, 'containers.conf')
  fs.writeFileSync(containersConf, '[engine]\nruntime_supports_json = ["runt", "runc", "crun"]\n')
  const env = { ...process.env, CONTAINERS_CONF: containersConf }

  const mountNs = new MountNamespace()
  const podman = (args: string[]) => call(...mountNs.wrap('podman', [
    '--runtime', runtime.launcher, '--root', path.join(dir, 'storage'), '--runroot', path.join(dir, 'run'),
    '--cgroup-manager', 'cgroupfs', '--events-backend', 'none', '--storage-driver', 'vfs', ...args,
  ]), { env })

  // Relative --cgroup-parent: the runtime makes the container's cgroup below its own; conmon
  // is not moved anywhere (no-conmon). Most tests run unconfined (seccomp=unconfined) so
  // runc and runt see the same config apart from that; one runs podman's default seccomp profile. Its default rlimits for root (nofile, nproc) are above
  // what this host lets even root raise to (no CAP_SYS_RESOURCE here): lower ones.
  const cgroupParent = `runt-podman-${process.pid}`
  const runOpts = [
    '--net', 'none', '--security-opt', 'seccomp=unconfined', '--cgroups', 'no-conmon', '--cgroup-parent', cgroupParent,
    '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024', '--rootfs', ROOTFS,
  ]

  const inspect = (name: string, format: string) => podman(['inspect', '--format', format, name]).stdout.trim()

  t.before(() => mountNs.open())
  t.teardown(() => {
    podman(['rm', '--all', '--force', '--time', '0'])
    for (const pid of processesMentioning(dir)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch { /* exited meanwhile */ }
    }
    mountNs.close()
    t.comment(`runtime calls (${runtime.name}), also in ${saveSummary(runtime, 'podman')}:\n${runtime.summary()}`)
    removeCgroupParents(cgroupParent)
    removeTempDir(dir)
  })

  t.test('podman run --rm: stdout, stderr and exit status', async t => {
    const r = podman(['run', '--rm', ...runOpts, 'sh', '-c', 'echo hello from podman; echo to stderr >&2; exit 3'])
    t.equal(r.stdout, 'hello from podman\n')
    t.equal(r.stderr, 'to stderr\n')
    t.equal(r.status, 3, 'podman exits with the container\'s status')
    t.equal(podman(['ps', '--all', '--quiet']).stdout, '', '--rm leaves no container')
  })

  t.test('podman run --rm with podman\'s default seccomp profile', async t => {
    const confined = runOpts.filter((o, i) => o !== 'seccomp=unconfined' && runOpts[i + 1] !== 'seccomp=unconfined')
    t.notOk(confined.includes('seccomp=unconfined'))
    const r = podman(['run', '--rm', ...confined, 'sh', '-c', 'grep Seccomp: /proc/self/status; ls / >/dev/null && echo works'])
    t.equal(r.stdout, 'Seccomp:\t2\nworks\n', r.stderr)
    t.equal(r.status, 0)
  })

  t.test('podman run --rm: a missing executable is reported as such (exit 127)', async t => {
    const r = podman(['run', '--rm', ...runOpts, '/no/such/binary'])
    t.equal(r.status, 127, r.stderr)
    t.match(r.stderr, '/no/such/binary', 'the message names the missing path')
    t.comment(`podman said: ${r.stderr.trim()}`)
  })

  t.test('podman run -d, exec, stop, rm', async t => {
    const name = `long-${process.pid}`
    // TERM ends the loop with status 3 (pid 1 ignores signals it has no handler for).
    const script = 'trap "exit 3" TERM; echo ready > /tmp/ready; while :; do sleep 1 & wait; done'
    const started = podman(['run', '--detach', '--name', name, ...runOpts, 'sh', '-c', script])
    t.equal(started.status, 0, started.stderr)
    t.match(started.stdout, /^[0-9a-f]{64}\n$/, 'podman prints the container id')
    t.equal(inspect(name, '{{.State.Status}}'), 'running')

    const exec = podman(['exec', name, 'sh', '-c', 'cat /tmp/ready; echo in exec; exit 4'])
    t.equal(exec.stdout, 'ready\nin exec\n', exec.stderr)
    t.equal(exec.status, 4, 'podman exec exits with the process\'s status')

    const stopped = podman(['stop', '--time', '10', name])
    t.equal(stopped.status, 0, stopped.stderr)
    t.equal(stopped.stdout, `${name}\n`)
    t.equal(inspect(name, '{{.State.Status}}'), 'exited')
    t.equal(inspect(name, '{{.State.ExitCode}}'), '3', 'SIGTERM reached the trap')

    const removed = podman(['rm', name])
    t.equal(removed.status, 0, removed.stderr)
    t.equal(podman(['ps', '--all', '--quiet']).stdout, '', 'no container left')
  })

  t.test('what conmon and podman asked of the runtime', async t => {
    const creates = runtime.callsOf('create')
    t.ok(creates.length >= 3, 'one create per container')
    for (const inv of creates) t.match(inv.argv, ['--log-format=json', '--log', /\/oci-log$/], 'JSON errors requested')
    const commands = new Set(runtime.invocations().map(inv => subcommand(inv.argv)))
    for (const c of ['create', 'start', 'exec', 'kill', 'delete']) t.ok(commands.has(c), `the runtime was asked to ${c}`)
  })
}
