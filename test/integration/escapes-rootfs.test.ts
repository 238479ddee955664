// The known escapes through the container's root filesystem and procfs (issue 7): each
// attacked the way its public advisory describes, the host checked untouched afterwards.
// Shared set-up in escape-suite.ts; the process ones are in escapes-process.test.ts.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { shBundle, uniqueId, hostMountCount, type Result } from './helpers'
import { native } from '../../src/sys/native'
import { escapeSuite } from './escape-suite'
import { buildExecPlan, processFromFlags } from '../../src/plan/exec-plan'
import { launch, type LaunchError } from '../../src/launcher/launch'

const suite = escapeSuite(t)
if (suite) {
  const { runt, runtA, temp, out, probe, withOut, bundles, ownRootfs, noDevTmpfs } = suite

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

  t.test('CVE-2019-16884 (LSM labels): the label goes to the real procfs file, not what is mounted over /proc or its attr', async t => {
    // The executor joins the mount namespace of a helper (its own: nothing here touches
    // the host's mounts) and is asked for an SELinux label. This host has no LSM that
    // takes labels, so the real attr/exec answers the write with EINVAL; a fake file
    // would take it silently (and the process would run unconfined).
    const helper = (script: string) => {
      const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${script} && exec sleep 1000`], { stdio: 'ignore' })
      t.teardown(() => { child.kill('SIGKILL') })
      return child
    }
    const inNs = (pid: number, script: string) => spawnSync('nsenter', ['-t', String(pid), '-m', 'sh', '-c', script], { encoding: 'utf8' })
    const labelIn = (ns: number, onPid: (pid: number) => void) => {
      const proc = processFromFlags({ cwd: '/', user: { uid: 0, gid: 0 }, env: ['PATH=/bin:/usr/bin'] }, { args: ['true'], env: [], additionalGids: [], caps: [], tty: false, noNewPrivs: false })
      const plan = { ...buildExecPlan({ mount: `/proc/${ns}/ns/mnt` }, proc, { preserveFds: 0 }), selinuxLabel: 'system_u:system_r:container_t:s0' }
      try {
        launch(plan, { fifoFd: null, consoleSocketFd: null, preserveFds: 0 }, { onPid })
        return null
      } catch (err) {
        return err as LaunchError
      }
    }
    const ready = async (pid: number, test: string) => {
      for (let i = 0; i < 3000 && inNs(pid, test).status !== 0; i++) await new Promise(r => setTimeout(r, 10))
    }

    // a tmpfs over the attr directory of the very process, mounted once its pid is known
    const overAttr = helper('true')
    await ready(overAttr.pid!, 'true')
    let fakeAttr = ''
    const e1 = labelIn(overAttr.pid!, pid => {
      fakeAttr = `/proc/${pid}/task/${pid}/attr`
      const r = inNs(overAttr.pid!, `mount -t tmpfs fake ${fakeAttr} && touch ${fakeAttr}/exec`)
      t.equal(r.status, 0, `a tmpfs over ${fakeAttr}: ${r.stderr}`)
    })
    t.match(e1, { step: 'write selinux label to', errno: 'EINVAL', path: '/proc/thread-self/attr/exec' }, 'the write went to the real attr/exec (which refused it)')
    t.equal(inNs(overAttr.pid!, `cat ${fakeAttr}/exec`).stdout, '', 'the file mounted over it got nothing')

    // a tmpfs in place of /proc, with thread-self/attr/exec a plain file
    const fakeProc = helper('mount -t tmpfs fake /proc && mkdir -p /proc/thread-self/attr && touch /proc/thread-self/attr/exec')
    await ready(fakeProc.pid!, 'test -f /proc/thread-self/attr/exec')
    const e2 = labelIn(fakeProc.pid!, () => {})
    t.match(e2, { errno: 'EXDEV', path: '/proc' }, 'a /proc that is not procfs is refused')
    t.equal(inNs(fakeProc.pid!, 'cat /proc/thread-self/attr/exec').stdout, '', 'the fake file got nothing')
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
}
