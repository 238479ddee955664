// The known container escapes (issue 7), each attacked the way its public advisory
// describes, with the host checked untouched afterwards. Each names the defence that
// stops it; removing that defence makes the test fail (see the commit that added them).
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { spawn, spawnSync } from 'node:child_process'
import { containerSuite, makeBundle, shBundle, tempDir, uniqueId, hostMountCount, REPO, RUNT, ROOTFS, type Result } from './helpers'
import { runtAsync, runtStoppedAt } from './stop-point'
import { CAPABILITIES } from '../../src/spec/linux-names'
import { native } from '../../src/sys/native'

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite
  const runtA = runtAsync(root)
  const cleanup: string[] = []
  t.teardown(() => { for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true }) })
  const temp = (prefix: string) => {
    const d = tempDir(prefix)
    cleanup.push(d)
    return d
  }
  const wait = async (what: () => boolean, ms = 30_000) => {
    for (let i = 0; i < ms / 10 && !what(); i++) await new Promise(r => setTimeout(r, 10))
    return what()
  }

  // a host directory the containers see at /out, holding the attack helper
  const out = temp('runt-escape-out-')
  fs.chmodSync(out, 0o755)
  const probe = path.join(out, 'escape-probe')
  const cc = spawnSync('gcc', ['-static', '-O', '-o', probe, path.join(__dirname, 'fixtures', 'escape-probe.c')], { encoding: 'utf8' })
  if (cc.status !== 0) throw new Error(`building the probe failed: ${cc.stderr}`)
  const withOut = (s: any) => s.mounts.push({ destination: '/out', type: 'bind', source: out, options: ['rbind', 'rw'] })
  const bundles = cleanup

  /** A bundle whose rootfs is a writable copy of the busybox one, changed by prepare. */
  const ownRootfs = (prepare: (rootfs: string) => void, edit: (s: any) => void = () => {}) => {
    const dir = temp('runt-escape-bundle-')
    const rootfs = path.join(dir, 'rootfs')
    const cp = spawnSync('cp', ['-a', ROOTFS, rootfs])
    if (cp.status !== 0) throw new Error('copying the rootfs failed')
    prepare(rootfs)
    const b = makeBundle(s => {
      s.root = { path: rootfs, readonly: false }
      edit(s)
    })
    bundles.push(b)
    return b
  }
  const noDevTmpfs = (s: any) => { s.mounts = s.mounts.filter((m: any) => m.destination !== '/dev') }

  const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
  const runtimeFiles = [process.execPath, RUNT, path.join(REPO, 'dist', 'runt.js'), path.join(REPO, 'build', 'Release', 'runt-exec')]
  const hashes = () => Object.fromEntries(runtimeFiles.map(f => [f, sha(f)]))

  t.test('CVE-2019-5736: the runtime\'s executable cannot be written from inside, mid-exec or as the waiting init', async t => {
    const before = hashes()
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
    t.same(hashes(), before, 'node, bin/runt, dist/runt.js and runt-exec are unchanged')
  })

  t.test('CVE-2016-9962: the joining exec process cannot be ptraced or read from inside', async t => {
    // root of a user namespace with every capability there: only non-dumpability stops it
    const bundle = shBundle('exec sleep 100000', s => {
      withOut(s)
      s.linux.namespaces.push({ type: 'user' })
      s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
      s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
      s.process.capabilities = Object.fromEntries(['bounding', 'effective', 'permitted'].map(k => [k, [...CAPABILITIES]]))
      s.process.noNewPrivileges = false
      s.mounts = s.mounts.filter((m: any) => m.type !== 'cgroup' && m.type !== 'sysfs')
    })
    bundles.push(bundle)
    const id = uniqueId('cve9962')
    t.teardown(() => runt(['delete', '--force', id]))
    const r = runt(['run', '-d', '-b', bundle, id])
    t.equal(r.status, 0, r.stderr)
    const victim = await runtStoppedAt(root, ['exec', id, 'true'], 'exec:pid')
    const attack = runt(['exec', id, '/out/escape-probe', 'ptrace'])
    t.equal(await victim.resume(), 0, 'the frozen exec goes on and succeeds')
    t.equal(attack.status, 0, attack.stderr)
    const others = attack.stdout.split('\n').filter(l => l && !l.startsWith('1 '))
    t.ok(others.length >= 2, `the joining process was visible and attacked:\n${attack.stdout}`)
    t.same(others.filter(l => / OK$/.test(l)), [], 'neither PTRACE_ATTACH nor /proc/PID/mem worked')
  })

  t.test('CVE-2024-21626: leaked host directory fds never become a cwd or a path inside', async t => {
    const secretDir = temp('runt-leaked-dir-')
    fs.writeFileSync(path.join(secretDir, 'HOST-SECRET'), 'host secret\n')
    const leaked = Array.from({ length: 8 }, () => fs.openSync(secretDir, 'r')) // fds 3..10 of runt
    t.teardown(() => { for (const fd of leaked) fs.closeSync(fd) })
    const look = 'pwd; ls; cat HOST-SECRET; for f in /proc/self/fd/*; do readlink $f; done; cat /proc/self/fd/*/HOST-SECRET'
    const runs = Array.from({ length: 8 }, (_, i) => i + 3).map(async n => {
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
    const [viaCwd, inside] = await Promise.all([
      runtA(['exec', '--cwd', '/proc/self/fd/5', id, 'cat', 'HOST-SECRET'], leaked),
      runtA(['exec', id, 'sh', '-c', `${look}; ls -l /proc/1/fd`], leaked),
    ])
    t.not(viaCwd.status, 0, 'exec --cwd /proc/self/fd/5 fails')
    t.notMatch(viaCwd.stdout + viaCwd.stderr, /host secret/)
    t.notMatch(inside.stdout + inside.stderr, /host secret|runt-leaked-dir/, 'an exec\'d process reaches no host directory through /proc/self/fd')
    t.match(inside.stdout, /\/dev\/null/, 'it did look (its stdin is /dev/null)')
  })

  t.test('CVE-2019-16884 / CVE-2025-52881: procfs writes go to the real procfs only', async t => {
    const victim = path.join(temp('runt-procfs-victim-'), 'file')
    fs.writeFileSync(victim, 'untouched\n')
    // a host file bind-mounted over the sysctl's procfs file
    const overFile = shBundle('cat /proc/sys/kernel/domainname', s => {
      s.mounts.push({ destination: '/proc/sys/kernel/domainname', type: 'bind', source: victim, options: ['bind'] })
      s.linux.sysctl = { 'kernel.domainname': 'pwned-sysctl' }
    })
    // a host directory (tmpfs-like, with the right names in it) in place of /proc
    const fakeProc = temp('runt-fake-proc-')
    fs.mkdirSync(path.join(fakeProc, 'sys', 'kernel'), { recursive: true })
    fs.mkdirSync(path.join(fakeProc, 'self', 'fd'), { recursive: true })
    fs.writeFileSync(path.join(fakeProc, 'sys', 'kernel', 'domainname'), 'untouched\n')
    for (let fd = 3; fd < 32; fd++) fs.symlinkSync('/out/procfs-victim', path.join(fakeProc, 'self', 'fd', String(fd)))
    fs.writeFileSync(path.join(out, 'procfs-victim'), 'untouched\n')
    fs.chmodSync(path.join(out, 'procfs-victim'), 0o666)
    const fakeMount = (s: any) => {
      withOut(s)
      s.mounts = s.mounts.map((m: any) => m.destination === '/proc' ? { destination: '/proc', type: 'bind', source: fakeProc, options: ['rbind'] } : m)
      s.linux.maskedPaths = []
      s.linux.readonlyPaths = []
    }
    const fakeSysctl = shBundle('true', s => { fakeMount(s); s.linux.sysctl = { 'kernel.domainname': 'pwned-sysctl' } })
    const fakeFifo = shBundle('true', fakeMount) // start: the exec fifo is reopened through /proc/self/fd
    bundles.push(overFile, fakeSysctl, fakeFifo)
    const ids = [uniqueId('cve52881'), uniqueId('cve52881'), uniqueId('cve52881')]
    t.teardown(() => { for (const id of ids) runt(['delete', '--force', id]) })
    const [a, b, c] = await Promise.all([
      runtA(['run', '-b', overFile, ids[0]]),
      runtA(['run', '-b', fakeSysctl, ids[1]]),
      runtA(['create', '-b', fakeFifo, ids[2]]),
    ])
    // the sysctl goes to the procfs file itself, under whatever is mounted over it
    t.equal(a.stdout, 'untouched\n', `the container sees the host file, not the sysctl value: ${a.stderr}`)
    t.not(b.status, 0, 'sysctls with a fake /proc are refused')
    t.match(b.stderr, /\/proc/)
    t.equal(c.status, 0, c.stderr)
    const started = await runtA(['start', ids[2]])
    t.match(started.stderr + JSON.stringify(runt(['state', ids[2]]).stdout), /stopped|exec fifo/, 'started through a fake /proc, the init refuses to go on')
    t.equal(fs.readFileSync(victim, 'utf8'), 'untouched\n', 'the host file under the sysctl is untouched')
    t.equal(fs.readFileSync(path.join(fakeProc, 'sys', 'kernel', 'domainname'), 'utf8'), 'untouched\n', 'the fake sysctl file is untouched')
    t.equal(fs.readFileSync(path.join(out, 'procfs-victim'), 'utf8'), 'untouched\n', 'the file behind the fake /proc/self/fd is untouched')
  })

  t.test('CVE-2019-19921 / CVE-2021-30465 / CVE-2023-27561: a mount destination flipped to a symlink never lands outside the rootfs', async t => {
    const victim = temp('runt-mount-victim-')
    const escape = `${'../'.repeat(12)}${victim.slice(1)}`
    const bundle = ownRootfs(rootfs => {
      fs.mkdirSync(path.join(rootfs, 'flip'))
      fs.symlinkSync(escape, path.join(rootfs, 'flop'))
    }, s => {
      s.process.args = ['true']
      s.mounts.push({ destination: '/flip/a/b', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] })
      s.mounts.push({ destination: '/flip/c', type: 'bind', source: '/etc/hostname', options: ['bind'] })
    })
    const rootfsDir = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8')).root.path
    const mounts = hostMountCount()
    const flipper = spawn(probe, ['flip', rootfsDir, 'flip', 'flop', '120'], { stdio: 'ignore' })
    t.teardown(() => { flipper.kill('SIGKILL') })
    const statuses: (number | null)[] = []
    for (let i = 0; i < 8; i++) statuses.push((await runtA(['run', '-b', bundle, uniqueId('cve30465')])).status)
    t.equal(flipper.exitCode, null, 'the flipper ran all along')
    flipper.kill('SIGKILL')
    t.ok(statuses.length === 8, `8 runs against the flipping path (exit statuses ${statuses.join(' ')})`)
    t.same(fs.readdirSync(victim), [], 'nothing was created in the host directory the symlink points to')
    t.equal(hostMountCount(), mounts, 'no mount appeared on the host')
  })

  t.test('CVE-2025-31133: maskedPaths with /dev/null replaced by a symlink or another device', async t => {
    const viaLink = ownRootfs(rootfs => {
      fs.rmSync(path.join(rootfs, 'dev'), { recursive: true, force: true })
      fs.mkdirSync(path.join(rootfs, 'dev'))
      fs.symlinkSync('/proc/sys/kernel/hostname', path.join(rootfs, 'dev', 'null'))
    }, s => { noDevTmpfs(s); s.process.args = ['sh', '-c', 'cat /proc/timer_list /proc/kcore 2>&1 | head -c 200'] })
    const viaZero = ownRootfs(rootfs => {
      fs.rmSync(path.join(rootfs, 'dev'), { recursive: true, force: true })
      fs.mkdirSync(path.join(rootfs, 'dev'))
      spawnSync('mknod', ['-m', '666', path.join(rootfs, 'dev', 'null'), 'c', '1', '5'])
    }, s => { noDevTmpfs(s); s.process.args = ['sh', '-c', 'head -c 16 /proc/timer_list | od -c | head -2'] })
    const [a, b] = await Promise.all([runtA(['run', '-b', viaLink, uniqueId('cve31133')]), runtA(['run', '-b', viaZero, uniqueId('cve31133')])])
    for (const [what, r] of [['a symlink to a procfs file', a], ['/dev/zero', b]] as [string, Result][]) {
      if (r.status === 0) t.equal(r.stdout, '', `${what}: if it runs at all, the masked files read empty`)
      else t.match(r.stderr, /mask.*\/dev\/null/, `${what}: refused, naming /dev/null`)
      t.notMatch(r.stdout, /\S/, `${what}: nothing shows through the masked paths`)
    }
  })

  t.test('CVE-2025-52565: /dev/console redirected by a symlink, with terminal: true', async t => {
    const dir = temp('runt-console-')
    const socketPath = path.join(dir, 'console.sock')
    const listenFd = native().unixListen(socketPath)
    t.teardown(() => fs.closeSync(listenFd))
    const bundle = ownRootfs(rootfs => {
      fs.rmSync(path.join(rootfs, 'dev'), { recursive: true, force: true })
      fs.mkdirSync(path.join(rootfs, 'dev'))
      fs.symlinkSync('/proc/sys/kernel/hostname', path.join(rootfs, 'dev', 'console'))
    }, s => { noDevTmpfs(s); s.process.terminal = true; s.process.args = ['sleep', '100000'] })
    const id = uniqueId('cve52565')
    t.teardown(() => runt(['delete', '--force', id]))
    const r = await runtA(['create', '--console-socket', socketPath, '-b', bundle, id])
    if (r.status === 0) {
      const check = runt(['exec', id, 'sh', '-c', 'grep -c " /proc/sys/kernel/hostname " /proc/self/mountinfo; cat /proc/sys/kernel/hostname'])
      t.match(check.stdout, /^0\n/, 'nothing is mounted over the procfs file the symlink names')
    } else {
      t.match(r.stderr, /\/dev\/console/, 'refused, naming /dev/console')
    }
    t.equal(fs.readFileSync('/proc/sys/kernel/hostname', 'utf8').length > 0, true)
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
