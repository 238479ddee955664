// The known escapes through runt's own processes and descriptors (issue 7): each attacked
// the way its public advisory describes, the host checked untouched afterwards. Shared
// set-up in escape-suite.ts; the rootfs and procfs ones are in escapes-rootfs.test.ts.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { shBundle, uniqueId, type Result } from './helpers'
import { runtExecutorStoppedAt, runtStoppedAt } from './stop-point'
import { CAPABILITIES } from '../../src/spec/linux-names'
import { native } from '../../src/sys/native'
import { escapeSuite } from './escape-suite'

const suite = escapeSuite(t)
if (suite) {
  const { root, runt, runtA, temp, wait, out, withOut, bundles, hashes, sha, privateRuntime } = suite

  t.test('CVE-2019-5736: the runtime\'s executable cannot be written from inside, mid-exec or as the waiting init', async t => {
    // the runt calls below start this copy of the executor, which nothing else runs: with
    // the defences gone, the probe's held /proc/PID/exe is writable once runt's processes
    // have exec'd or exited (a shared executor could stay busy with other tests' containers)
    const executor = privateRuntime(t)
    const before = { ...hashes(), executor: sha(executor) }
    const dir = path.join(out, 'exe')
    fs.mkdirSync(dir, { mode: 0o777 })
    const bundle = shBundle('exec sleep 100000', withOut)
    bundles.push(bundle)
    const id = uniqueId('cve5736')
    t.teardown(() => runt(['delete', '--force', id]))
    // created, not started: pid 1 is still runt's executor waiting on the exec fifo
    t.equal(runt(['create', '-b', bundle, id]).status, 0)
    // an exec frozen after it joined: its executor is a process inside the container
    const victim = await runtStoppedAt(root, ['exec', id, 'true'], 'exec:pid')
    t.match(fs.readFileSync(`/proc/${victim.pid}/maps`, 'utf8'), path.join(path.dirname(executor), 'runt.node'), 'runt runs the private copy')
    const attack = runt(['exec', '-d', id, 'sh', '-c', '/out/escape-probe exe /out/exe > /out/exe/log 2>&1'])
    t.equal(attack.status, 0, attack.stderr)
    t.ok(await wait(() => fs.existsSync(path.join(dir, 'ready'))), 'the attacker held what it could')
    t.equal(await victim.resume(), 0, 'the frozen exec goes on and succeeds')
    t.equal(runt(['start', id]).status, 0, 'the init goes on to the user\'s program')
    fs.writeFileSync(path.join(dir, 'go'), '')
    t.ok(await wait(() => fs.existsSync(path.join(dir, 'done'))), 'the attacker finished')
    const log = fs.readFileSync(path.join(dir, 'log'), 'utf8')
    t.match(log, /^1 write-exe /m, 'the waiting init was attacked')
    t.ok(log.split('\n').length > 4, `a second process (the joining exec) was attacked:\n${log}`)
    t.notMatch(log, /(write-exe|reopen-write) OK/, 'no write reached an executable')
    t.same({ ...hashes(), executor: sha(executor) }, before, 'node, bin/runt, dist/runt.js and runt-exec (the shared one and the copy the test ran) are unchanged')
  })

  t.test('CVE-2016-9962: the joining exec process cannot be ptraced or read from inside between its capset and execve', async t => {
    // The exec's executor is stopped (RUNT_TEST_STOP_AT=exec:capset) with the container's
    // user and capabilities, before execve. Without a user namespace it then has exactly
    // the credentials of the container's root: only its non-dumpability keeps that root
    // from attaching to it. In a user namespace the uid change makes the kernel drop
    // dumpability too; that container's root has every capability there.
    const userns = (s: any) => {
      s.linux.namespaces.push({ type: 'user' })
      s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
      s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
      s.process.capabilities = Object.fromEntries(['bounding', 'effective', 'permitted'].map(k => [k, [...CAPABILITIES]]))
      s.process.noNewPrivileges = false
      s.mounts = s.mounts.filter((m: any) => m.type !== 'cgroup' && m.type !== 'sysfs')
    }
    for (const [what, edit] of [['container root', () => {}], ['root of a user namespace', userns]] as const) {
      const bundle = shBundle('exec sleep 100000', s => { withOut(s); edit(s) })
      bundles.push(bundle)
      const id = uniqueId('cve9962')
      t.teardown(() => runt(['delete', '--force', id]))
      const r = runt(['run', '-d', '-b', bundle, id])
      t.equal(r.status, 0, r.stderr)
      const victim = await runtExecutorStoppedAt(root, ['exec', id, 'true'], 'exec:capset')
      t.teardown(() => victim.kill().catch(() => {}))
      // its pid as the container sees it: the last NSpid of its status
      const nsPid = /^NSpid:.*\s(\d+)$/m.exec(fs.readFileSync(`/proc/${victim.executorPid}/status`, 'utf8'))?.[1]
      const attack = runt(['exec', id, '/out/escape-probe', 'ptrace'])
      t.equal(await victim.resume(), 0, `${what}: the stopped exec goes on and succeeds`)
      t.equal(attack.status, 0, attack.stderr)
      t.match(attack.stdout, /^1 attach OK$/m, `${what}: the probe can attach to a process it may trace (the container's pid 1)`)
      const onVictim = attack.stdout.split('\n').filter(l => l.startsWith(`${nsPid} `))
      t.same(onVictim.map(l => l.split(' ')[1]), ['attach', 'mem'], `${what}: the stopped joining process (pid ${nsPid} inside) was attacked:\n${attack.stdout}`)
      t.same(onVictim.filter(l => / OK$/.test(l)), [], `${what}: neither PTRACE_ATTACH nor /proc/PID/mem worked on it`)
    }
  })

  t.test('CVE-2024-21626: leaked host directory fds never become a cwd or a path inside', async t => {
    const secretDir = temp('runt-leaked-dir-')
    fs.writeFileSync(path.join(secretDir, 'HOST-SECRET'), 'host secret\n')
    // runt inherits the host directory as fds 3..10 and 60..63. node marks its low fds
    // close-on-exec but not the high ones: those reach the executor (as a descriptor a
    // runtime opened for itself would), and only its own closing keeps them out
    const low = Array.from({ length: 8 }, (_, i) => i + 3)
    const high = [60, 61, 62, 63]
    const opened = [...low, ...high].map(() => fs.openSync(secretDir, 'r'))
    t.teardown(() => { for (const fd of opened) fs.closeSync(fd) })
    const leaked: Array<number | 'ignore'> = Array.from({ length: 61 }, () => 'ignore')
    ;[...low, ...high].forEach((n, i) => { leaked[n - 3] = opened[i]! })
    const look = 'pwd; ls; cat HOST-SECRET; for f in /proc/self/fd/*; do readlink $f; done; cat /proc/self/fd/*/HOST-SECRET'
    const tried = [3, 5, 10, ...high]
    const runs = tried.map(async n => {
      const b = shBundle(look, s => { s.process.cwd = `/proc/self/fd/${n}` })
      bundles.push(b)
      return [n, await runtA(['run', '-b', b, uniqueId('cve21626')], leaked)] as [number, Result]
    })
    for (const [n, r] of await Promise.all(runs)) {
      t.not(r.status, 0, `cwd /proc/self/fd/${n} fails`)
      t.match(r.stderr, /chdir/, `fd ${n}: the chdir is what failed`)
      t.notMatch(r.stdout + r.stderr, /host secret|HOST-SECRET|runt-leaked-dir/, `fd ${n}: nothing of the host directory shows`)
    }
    const bundle = shBundle('exec sleep 100000')
    bundles.push(bundle)
    const id = uniqueId('cve21626')
    t.teardown(() => runt(['delete', '--force', id]))
    t.equal((await runtA(['run', '-d', '-b', bundle, id], leaked)).status, 0)
    // --preserve-fds 1 hands fd 3 over on purpose (as runc does): that one is reachable,
    // which shows the probing would see a leaked one; nothing past it may follow
    const [viaCwd, viaHighCwd, inside, handedOver] = await Promise.all([
      runtA(['exec', '--cwd', '/proc/self/fd/5', id, 'cat', 'HOST-SECRET'], leaked),
      runtA(['exec', '--preserve-fds', '1', '--cwd', '/proc/self/fd/61', id, 'cat', 'HOST-SECRET'], leaked),
      runtA(['exec', '--preserve-fds', '1', id, 'sh', '-c', `${look}; ls -l /proc/1/fd`], leaked),
      runtA(['exec', '--preserve-fds', '1', '--cwd', '/proc/self/fd/3', id, 'cat', 'HOST-SECRET'], leaked),
    ])
    t.not(viaCwd.status, 0, 'exec --cwd /proc/self/fd/5 fails')
    t.notMatch(viaCwd.stdout + viaCwd.stderr, /host secret/)
    t.not(viaHighCwd.status, 0, 'exec --preserve-fds 1 --cwd /proc/self/fd/61 fails')
    t.notMatch(viaHighCwd.stdout + viaHighCwd.stderr, /host secret/)
    const reached = inside.stdout.split('\n').filter(l => l.includes('runt-leaked-dir'))
    t.same(reached, [secretDir], 'an exec\'d process reaches the host directory only through the fd handed over (3)')
    t.match(inside.stdout, /\/dev\/null/, 'it did look (its stdin is /dev/null)')
    t.equal(handedOver.status, 0, handedOver.stderr)
    t.match(handedOver.stdout, /host secret/, 'fd 3 handed over with --preserve-fds is the host directory')
  })

  t.test('no operation changes the owner or mode of the host\'s device nodes (crun 1.8.1 chowned /dev/null)', async t => {
    const nodes = ['/dev/null', '/dev/zero', '/dev/tty', '/dev/pts/ptmx']
    const stats = () => nodes.map(n => { const s = fs.statSync(n); return `${n} ${s.mode.toString(8)} ${s.uid}:${s.gid}` })
    const before = stats()
    const dir = temp('runt-devnull-')
    const socketPath = path.join(dir, 'console.sock')
    const listenFd = native().unixListen(socketPath)
    t.teardown(() => fs.closeSync(listenFd))
    const user = (s: any) => { s.process.user = { uid: 1000, gid: 1000 } }
    const plain = shBundle('ls -l /proc/self/fd/0', user)
    const tty = shBundle('exec sleep 100000', s => { user(s); s.process.terminal = true })
    const idle = shBundle('exec sleep 100000')
    bundles.push(plain, tty, idle)
    const [ttyId, idleId] = [uniqueId('devnull'), uniqueId('devnull')]
    t.teardown(() => { runt(['delete', '--force', ttyId]); runt(['delete', '--force', idleId]) })
    // stdin of every runt here is /dev/null
    const results = await Promise.all([
      runtA(['run', '-b', plain, uniqueId('devnull')]),
      runtA(['run', '-d', '--console-socket', socketPath, '-b', tty, ttyId]),
      runtA(['run', '-d', '-b', idle, idleId]),
    ])
    for (const r of results) t.equal(r.status, 0, r.stderr)
    const execs = await Promise.all([
      runtA(['exec', '-u', '1000:1000', idleId, 'ls', '-l', '/proc/self/fd/0']),
      runtA(['exec', '-d', '-t', '--console-socket', socketPath, '-u', '1000:1000', idleId, 'sleep', '3']),
    ])
    for (const r of execs) t.equal(r.status, 0, r.stderr)
    t.same(stats(), before, 'owner and mode of /dev/null, /dev/zero, /dev/tty and /dev/pts/ptmx are unchanged')
  })
}
