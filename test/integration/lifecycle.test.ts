// The container lifecycle through bin/runt, as containerd and a person drive it.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { RUNT, containerSuite, tempDir, shBundle, uniqueId, sh, hostMountCount, cgroupDirsNamed } from './helpers'

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite

  const stateOf = (id: string) => {
    const r = runt(['state', id])
    return r.status === 0 ? JSON.parse(r.stdout) : { error: r.stderr.trim() }
  }

  t.test('run: stdout and exit status, the same as runc on the same bundle', async t => {
    const echo = shBundle('echo hello from busybox')
    const exit3 = shBundle('exit 3')
    const runcRoot = tempDir('runc-root-')
    t.teardown(() => {
      for (const d of [echo, exit3, runcRoot]) fs.rmSync(d, { recursive: true, force: true })
    })
    const mine = runt(['run', '--bundle', echo, uniqueId()])
    t.equal(mine.stdout, 'hello from busybox\n')
    t.equal(mine.status, 0)
    t.equal(runt(['run', '-b', exit3, uniqueId()]).status, 3)

    const runc = sh('runc', ['--root', runcRoot, 'run', '--bundle', echo, uniqueId('runc')])
    t.equal(runc.stdout, mine.stdout, 'runc prints the same')
    t.equal(runc.status, 0)
    t.equal(sh('runc', ['--root', runcRoot, 'run', '--bundle', exit3, uniqueId('runc')]).status, 3)
    t.equal(runt(['list', '-q']).stdout, '', 'foreground run deletes its container')
  })

  t.test('create -> created -> start -> running -> kill -> stopped -> delete', async t => {
    const bundle = shBundle('echo started > /dev/shm/x; exec sleep 1000')
    const pidFile = path.join(bundle, 'init.pid')
    const id = uniqueId()
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))

    const c = runt(['create', '--bundle', bundle, '--pid-file', pidFile, id])
    t.equal(c.status, 0, c.stderr)
    const pidText = fs.readFileSync(pidFile, 'utf8')
    t.match(pidText, /^\d+$/, 'pid file: digits, no newline')
    let s = stateOf(id)
    t.equal(s.status, 'created')
    t.equal(s.pid, Number(pidText))
    t.equal(s.id, id)
    t.equal(s.bundle, bundle)
    t.equal(s.ociVersion, '1.3.0')
    t.match(s.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
    t.ok(fs.existsSync(`/proc/${s.pid}`), 'the init is alive, waiting')
    t.match(fs.readlinkSync(`/proc/${s.pid}/exe`), /^\/memfd:runt-exec \(deleted\)$/, 'the waiting init is not a host binary')

    t.equal(runt(['start', id]).status, 0)
    s = stateOf(id)
    t.equal(s.status, 'running')
    const again = runt(['start', id])
    t.equal(again.status, 1)
    t.match(again.stderr, 'cannot start an already running container')
    const del = runt(['delete', id])
    t.equal(del.status, 1)
    t.match(del.stderr, `cannot delete container ${id} that is not stopped: running`)

    t.equal(runt(['kill', id, 'KILL']).status, 0)
    for (let i = 0; i < 200 && stateOf(id).status !== 'stopped'; i++) await new Promise(r => setTimeout(r, 10))
    s = stateOf(id)
    t.equal(s.status, 'stopped')
    t.equal(s.pid, 0, 'a stopped container reports pid 0')
    const startStopped = runt(['start', id])
    t.match(startStopped.stderr, 'cannot start a container that has stopped')
    const killStopped = runt(['kill', id])
    t.equal(killStopped.status, 1)
    t.match(killStopped.stderr, 'container not running')
    t.equal(runt(['kill', '--all', id, '9']).status, 0, 'kill --all succeeds after the init exited')
    t.equal(runt(['delete', id]).status, 0)
    t.match(stateOf(id).error, 'container does not exist')
    t.equal(runt(['delete', '--force', id]).status, 0, 'delete --force of a missing container succeeds')
    t.same(cgroupDirsNamed(id), [], 'no cgroup directory left')
  })

  t.test('create + start of a process that is not root: the init can still open the exec fifo (umask 022)', async t => {
    // found by the fuzz test: mkfifo's 0622 lost the others' write bit to the umask,
    // so an init already running as uid 1000 died on open, and the container stopped
    const outDir = tempDir('runt-out-')
    fs.chmodSync(outDir, 0o777)
    const bundle = shBundle('echo "$(id -u):$(id -g)" > /out/ids', s => {
      s.process.user = { uid: 1000, gid: 1000 }
      s.mounts.push({ destination: '/out', type: 'bind', source: outDir, options: ['rbind', 'rw'] })
    })
    const id = uniqueId()
    t.teardown(() => {
      runt(['delete', '--force', id])
      for (const d of [bundle, outDir]) fs.rmSync(d, { recursive: true, force: true })
    })
    const created = runt(['create', '--bundle', bundle, id])
    t.equal(created.status, 0, created.stderr)
    t.equal(stateOf(id).status, 'created')
    t.equal(runt(['start', id]).status, 0)
    for (let i = 0; i < 200 && stateOf(id).status !== 'stopped'; i++) await new Promise(r => setTimeout(r, 50))
    t.equal(fs.readFileSync(path.join(outDir, 'ids'), 'utf8'), '1000:1000\n', 'the process ran as 1000:1000')
  })

  t.test('kill accepts every signal form', async t => {
    for (const sig of ['TERM', 'SIGTERM', '15', 'sigterm', 'KILL', '9', 'SIGKILL', 'kill']) {
      const id = uniqueId()
      const bundle = shBundle('trap "exit 0" TERM; while true; do sleep 0.05; done')
      t.equal(runt(['run', '-d', '-b', bundle, id]).status, 0)
      const k = runt(['kill', id, sig])
      t.equal(k.status, 0, `kill ${sig}: ${k.stderr}`)
      let status = ''
      for (let i = 0; i < 300 && (status = stateOf(id).status) !== 'stopped'; i++) await new Promise(r => setTimeout(r, 10))
      t.equal(status, 'stopped', `stopped by ${sig}`)
      runt(['delete', id])
      fs.rmSync(bundle, { recursive: true, force: true })
    }
    const bad = runt(['kill', 'whatever', 'SIGNOPE'])
    t.equal(bad.status, 1)
    t.match(bad.stderr, 'unknown signal "SIGNOPE"')
  })

  t.test('delete: a created container is killed and removed; --force removes a running one', async t => {
    const bundle = shBundle('exec sleep 1000')
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const a = uniqueId()
    t.equal(runt(['create', '-b', bundle, a]).status, 0)
    const pid = stateOf(a).pid
    t.equal(runt(['delete', a]).status, 0)
    t.notOk(fs.existsSync(`/proc/${pid}/cmdline`) && fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z', 'init gone')
    const b = uniqueId()
    t.equal(runt(['run', '-d', '-b', bundle, b]).status, 0)
    t.equal(stateOf(b).status, 'running')
    t.equal(runt(['delete', '--force', b]).status, 0)
    t.match(stateOf(b).error, 'container does not exist')
  })

  t.test('ids and duplicates', async t => {
    const bundle = shBundle('exec sleep 1000')
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    for (const bad of ['../x', 'a/b', '..', 'a b']) {
      const r = runt(['create', '-b', bundle, bad])
      t.equal(r.status, 1)
      t.match(r.stderr, 'invalid container ID format', `id ${JSON.stringify(bad)}`)
    }
    const id = uniqueId()
    t.equal(runt(['create', '-b', bundle, id]).status, 0)
    const dup = runt(['create', '-b', bundle, id])
    t.equal(dup.status, 1)
    t.match(dup.stderr, 'container with given ID already exists')
    t.equal(stateOf(id).status, 'created', 'the first container is untouched')
    t.equal(runt(['delete', id]).status, 0)
    const missing = runt(['state', 'no-such-container'])
    t.equal(missing.status, 1)
    t.match(missing.stderr, 'container does not exist')
  })

  t.test('list: table, json, quiet', async t => {
    const bundle = shBundle('exec sleep 1000')
    const id = uniqueId()
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    t.equal(runt(['create', '-b', bundle, id]).status, 0)
    const table = runt(['list']).stdout.split('\n')
    t.match(table[0], /^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER$/)
    t.ok(table.some(l => l.startsWith(id) && l.includes('created') && l.includes(bundle) && /\broot$/.test(l)))
    const json = JSON.parse(runt(['list', '--format', 'json']).stdout)
    t.ok(json.some((e: any) => e.id === id && e.status === 'created' && e.owner === 'root'))
    t.ok(runt(['list', '-q']).stdout.split('\n').includes(id))
    runt(['delete', id])
    const empty = tempDir('runt-empty-')
    t.equal(sh(RUNT, ['--root', empty, 'list', '--format', 'json']).stdout, 'null\n')
    t.match(sh(RUNT, ['--root', empty, 'list']).stdout, /^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER\n$/)
    fs.rmSync(empty, { recursive: true })
  })

  t.test('ps: json pids of the container, and the table', async t => {
    const bundle = shBundle('sleep 1000 & exec sleep 1001')
    const id = uniqueId()
    t.teardown(() => { runt(['delete', '-f', id]); fs.rmSync(bundle, { recursive: true, force: true }) })
    t.equal(runt(['run', '-d', '-b', bundle, id]).status, 0)
    await new Promise(r => setTimeout(r, 100))
    const pids: number[] = JSON.parse(runt(['ps', '--format', 'json', id]).stdout)
    t.equal(pids.length, 2)
    t.ok(pids.includes(stateOf(id).pid))
    const table = runt(['ps', id]).stdout.split('\n').filter(Boolean)
    t.match(table[0], /PID/)
    t.equal(table.length, 3, 'header and two processes')
  })

  t.test('foreground run forwards signals and returns 128+signal', async t => {
    // a pid-namespace init only gets the signals it handles: the trap shows the forwarding
    const bundle = shBundle('trap "exit 42" TERM; while :; do sleep 0.05; done')
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const startForeground = async (id: string) => {
      const child = spawn(RUNT, ['--root', root, 'run', '-b', bundle, id], { stdio: 'ignore' })
      const exited = new Promise<number | null>(resolve => child.on('exit', c => resolve(c)))
      for (let i = 0; i < 300 && stateOf(id).status !== 'running'; i++) await new Promise(r => setTimeout(r, 10))
      t.equal(stateOf(id).status, 'running')
      return { child, exited }
    }
    const a = uniqueId()
    const first = await startForeground(a)
    first.child.kill('SIGTERM')
    t.equal(await first.exited, 42, 'SIGTERM sent to runt reached the process')
    t.match(stateOf(a).error, 'container does not exist', 'deleted after it exited')

    const b = uniqueId()
    const second = await startForeground(b)
    t.equal(runt(['kill', b, 'KILL']).status, 0)
    t.equal(await second.exited, 128 + 9, 'killed by SIGKILL: 137')
  })

  const hasCapSysResource = () => {
    const bnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))
    return bnd !== null && (BigInt('0x' + bnd[1]) & (1n << 24n)) !== 0n
  }

  t.test('failed creates leave nothing behind', async t => {
    const cases: [string, (spec: any) => void, RegExp][] = [
      ['missing executable', s => { s.process.args = ['/no/such/binary'] }, /no\/such\/binary/],
      ['not executable', s => { s.process.args = ['/etc/passwd'] }, /permission denied/],
      ['bad cwd', s => { s.process.cwd = '/no/such/dir'; s.process.args = ['true'] }, /no\/such\/dir/],
      ['bad mount source', s => { s.mounts.push({ destination: '/mnt', type: 'bind', source: '/no/such/source', options: ['bind'] }) }, /bind source "\/no\/such\/source" does not exist/],
      ['invalid config', s => { s.linux.namespaces.push({ type: 'pid' }) }, /\/linux\/namespaces/],
    ]
    if (!hasCapSysResource()) {
      // this host's root lacks CAP_SYS_RESOURCE: both must fail clearly, naming value and cause
      cases.push(
        ['oom_score_adj lowered', s => { s.process.oomScoreAdj = -500 }, /^error setting oom_score_adj to -500: permission denied \(EACCES\); lowering oom_score_adj needs CAP_SYS_RESOURCE/],
        ['hard rlimit raised', s => { s.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 99999999 }] },
          /^error setting rlimit type 7 \(RLIMIT_NOFILE, soft 1024, hard 99999999\): operation not permitted \(EPERM\); raising a hard limit needs CAP_SYS_RESOURCE/],
      )
    }
    const mountsBefore = hostMountCount()
    for (const [name, edit, message] of cases) {
      const bundle = shBundle('true', edit)
      const id = uniqueId('fail')
      const r = runt(['create', '-b', bundle, id])
      t.equal(r.status, 1, `${name}: fails`)
      t.match(r.stderr, message, `${name}: says why`)
      t.equal(r.stderr.trim().split('\n').length, 1, `${name}: one line`)
      t.notOk(fs.existsSync(path.join(root, id)), `${name}: no state directory`)
      t.same(cgroupDirsNamed(id), [], `${name}: no cgroup`)
      fs.rmSync(bundle, { recursive: true, force: true })
    }
    t.equal(hostMountCount(), mountsBefore, 'no mount leaked into the host')
  })
}
