// Hooks as a user sees them: each phase at its point of the lifecycle, in the runtime's
// or the container's namespaces as runtime-spec config.md says, with the state JSON on
// stdin, exactly its own env, its timeout, and a failure that fails the operation and
// leaves nothing behind.

import t, { type Test } from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { cgroupDirsNamed, containerSuite, processesMentioning, ROOTFS, shBundle, uniqueId } from './helpers'
import { readOr, sharedDir, waitUntil } from './cgroups-helpers'

const suite = containerSuite(t)

/** A hook (run by the container's or the host's sh) that records what it sees under dir. */
function recorder(sh: string, phase: string, dir: string, extra: Record<string, unknown> = {}): object {
  const script = [
    `echo ${phase} >> ${dir}/order`,
    `readlink /proc/self/ns/mnt > ${dir}/${phase}.mnt`,
    `readlink /proc/self/ns/uts > ${dir}/${phase}.uts`,
    `hostname > ${dir}/${phase}.hostname`,
    `cat > ${dir}/${phase}.stdin`,
    `echo "$HOOKVAR|\${HOME-unset}" > ${dir}/${phase}.env`,
  ].join('; ')
  return { path: sh, args: ['sh', '-c', script], env: [`HOOKVAR=${phase}-value`, 'PATH=/usr/bin:/bin'], ...extra }
}

const HOST_SH = path.join(ROOTFS, 'bin', 'sh') // a path of the runtime's view (createContainer resolves it there)

if (suite) {
  const { root, runt } = suite
  const ownMnt = fs.readlinkSync('/proc/self/ns/mnt')

  /** A bundle with a shared dir at /mnt (host path returned) and the given hooks. */
  function hooked(script: string, hooks: (dir: string) => object, edit: (spec: any) => void = () => {}) {
    let dir = ''
    const bundle = shBundle(script, spec => {
      dir = sharedDir(spec)
      spec.hooks = hooks(dir)
      edit(spec)
    })
    t.teardown(() => {
      fs.rmSync(bundle, { recursive: true, force: true })
      fs.rmSync(dir, { recursive: true, force: true })
    })
    return { bundle, dir }
  }

  /** Nothing of a failed create is left: no state, no process, no cgroup. */
  function nothingLeft(t: Test, id: string): void {
    t.equal(runt(['list', '-q']).stdout.split('\n').includes(id), false, 'not listed')
    t.equal(fs.existsSync(path.join(root, id)), false, 'no state directory')
    t.same(processesMentioning(id), [], 'no process')
    t.same(cgroupDirsNamed(id), [], 'no cgroup')
  }

  t.test('every phase runs in order, in its namespaces, with the state on stdin and its own env', async t => {
    const id = uniqueId('hooks')
    const script = 'readlink /proc/self/ns/mnt > /mnt/process.mnt; readlink /proc/self/ns/uts > /mnt/process.uts; echo done > /mnt/process.done'
    const { bundle, dir } = hooked(script, dir => ({
      prestart: [recorder('/bin/sh', 'prestart', dir)],
      createRuntime: [recorder('/bin/sh', 'createRuntime', dir)],
      createContainer: [recorder(HOST_SH, 'createContainer', dir)],
      startContainer: [recorder('/bin/sh', 'startContainer', '/mnt')],
      poststart: [recorder('/bin/sh', 'poststart', dir)],
      poststop: [recorder('/bin/sh', 'poststop', dir)],
    }), spec => {
      spec.hostname = 'hooked'
      spec.annotations = { 'org.example.hooks': 'yes' }
    })
    const c = runt(['create', '-b', bundle, id])
    t.equal(c.status, 0, c.stderr)
    t.same(readOr(path.join(dir, 'order')).split('\n'), ['prestart', 'createRuntime', 'createContainer'], 'create runs three phases')
    t.same(JSON.parse(runt(['state', id]).stdout).annotations, { 'org.example.hooks': 'yes' }, 'state reports the annotations')
    const s = runt(['start', id])
    t.equal(s.status, 0, s.stderr)
    t.same(readOr(path.join(dir, 'order')).split('\n'),
      ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart'], 'start runs the other two, in order')
    t.ok(waitUntil(() => fs.existsSync(path.join(dir, 'process.done'))), 'the process ran')

    const seen = (phase: string, what: string) => readOr(path.join(dir, `${phase}.${what}`))
    const containerMnt = seen('process', 'mnt')
    t.not(containerMnt, ownMnt, 'the container has a mount namespace of its own')
    t.equal(runt(['delete', '--force', id]).status, 0)
    t.equal(readOr(path.join(dir, 'order')).split('\n').at(-1), 'poststop', 'delete runs poststop last')
    t.equal(JSON.parse(seen('poststop', 'stdin')).status, 'stopped', 'poststop reads the "stopped" state')
    for (const phase of ['prestart', 'createRuntime', 'poststart', 'poststop']) t.equal(seen(phase, 'mnt'), ownMnt, `${phase} runs in the runtime's namespace`)
    for (const phase of ['createContainer', 'startContainer']) {
      t.equal(seen(phase, 'mnt'), containerMnt, `${phase} runs in the container's mount namespace`)
      t.equal(seen(phase, 'uts'), seen('process', 'uts'), `${phase} runs in the container's UTS namespace`)
      t.equal(seen(phase, 'env'), `${phase}-value|unset`, `${phase} gets its env and nothing else`)
    }
    t.equal(seen('startContainer', 'hostname'), 'hooked', 'startContainer sees the container hostname')

    const stdin = (phase: string) => JSON.parse(seen(phase, 'stdin'))
    const pid = stdin('createRuntime').pid
    t.ok(pid > 1, 'the runtime hooks see the init\'s host pid')
    const bundleDir = fs.realpathSync(bundle)
    for (const [phase, status] of [['createContainer', 'creating'], ['startContainer', 'created']] as const) {
      t.same(stdin(phase), { ociVersion: stdin(phase).ociVersion, id, status, pid, bundle: bundleDir, annotations: { 'org.example.hooks': 'yes' } },
        `${phase} reads the "${status}" state with the host pid`)
    }
  })

  t.test('run: startContainer runs before the process, in the container', async t => {
    const id = uniqueId('hooks-run')
    const { bundle, dir } = hooked('cat /mnt/startContainer.env', () => ({
      startContainer: [recorder('/bin/sh', 'startContainer', '/mnt')],
    }))
    const r = runt(['run', '-b', bundle, id])
    t.equal(r.status, 0, r.stderr)
    t.equal(r.stdout, 'startContainer-value|unset\n', 'the process reads what the hook wrote')
    t.equal(JSON.parse(readOr(path.join(dir, 'startContainer.stdin'))).status, 'created')
  })

  t.test('a failing createContainer hook fails create, with its stderr, and leaves nothing behind', async t => {
    const id = uniqueId('hooks-ccfail')
    const { bundle } = hooked('true', () => ({
      createContainer: [{ path: HOST_SH, args: ['sh', '-c', 'echo boom >&2; exit 3'] }],
    }))
    const r = runt(['create', '-b', bundle, id])
    t.not(r.status, 0)
    t.match(r.stderr, `createContainer hook ${HOST_SH} failed: exit status 3: boom`)
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line')
    nothingLeft(t, id)
  })

  t.test('a createContainer hook past its timeout is killed and create fails', async t => {
    const id = uniqueId('hooks-cctime')
    const { bundle, dir } = hooked('true', dir => ({
      createContainer: [{ path: HOST_SH, args: ['sh', '-c', `read -r pid rest < /proc/self/stat; echo $pid > ${dir}/hook.pid; exec sleep 60`], timeout: 1 }],
    }))
    const r = runt(['create', '-b', bundle, id])
    t.not(r.status, 0)
    t.match(r.stderr, `createContainer hook ${HOST_SH} timed out after 1s`)
    // the host pid: before pivot_root, /proc is still the host's
    const hookPid = Number(readOr(path.join(dir, 'hook.pid')))
    t.ok(hookPid > 0 && !fs.existsSync(`/proc/${hookPid}`), 'the hook was killed')
    nothingLeft(t, id)
  })

  t.test('a createContainer hook that cannot be executed fails create', async t => {
    const id = uniqueId('hooks-ccnoent')
    const { bundle } = hooked('true', () => ({ createContainer: [{ path: '/no/such/hook' }] }))
    const r = runt(['create', '-b', bundle, id])
    t.not(r.status, 0)
    t.match(r.stderr, 'createContainer hook /no/such/hook failed: cannot execute: ENOENT')
    nothingLeft(t, id)
  })

  t.test('a failing startContainer hook fails start; the process never runs, the container stops', async t => {
    const id = uniqueId('hooks-scfail')
    const { bundle, dir } = hooked('echo ran > /mnt/process.ran', dir => ({
      startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'echo nope >&2; kill -9 $$'] }],
      poststart: [recorder('/bin/sh', 'poststart', dir)],
    }))
    t.equal(runt(['create', '-b', bundle, id]).status, 0)
    const s = runt(['start', id])
    t.not(s.status, 0)
    t.match(s.stderr, 'startContainer hook /bin/sh failed: killed by signal SIGKILL: nope')
    t.ok(waitUntil(() => JSON.parse(runt(['state', id]).stdout).status === 'stopped'), 'stopped')
    t.equal(fs.existsSync(path.join(dir, 'process.ran')), false, 'the process did not run')
    t.equal(fs.existsSync(path.join(dir, 'order')), false, 'poststart did not run')
    t.equal(runt(['delete', id]).status, 0, 'a stopped container deletes')
  })

  t.test('run: a failing startContainer hook fails run with its message', async t => {
    const id = uniqueId('hooks-runfail')
    const { bundle } = hooked('echo ran', () => ({
      startContainer: [{ path: '/bin/sh', args: ['sh', '-c', 'exit 7'] }],
    }))
    const r = runt(['run', '-b', bundle, id])
    t.not(r.status, 0)
    t.equal(r.stdout, '', 'the process did not run')
    t.match(r.stderr, 'startContainer hook /bin/sh failed: exit status 7')
    nothingLeft(t, id)
  })
}
