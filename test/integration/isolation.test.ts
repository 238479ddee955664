// What a container's process sees from inside, set up from config.json.
import t from 'tap'
import fs from 'node:fs'
import { RUNT, containerSuite, sh, shBundle, tempDir, uniqueId } from './helpers'

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite
  const bundles: string[] = []
  t.teardown(() => { for (const b of bundles) fs.rmSync(b, { recursive: true, force: true }) })

  /** Run a shell script in a fresh container; its stdout and exit status. */
  const inside = (script: string, edit: (spec: any) => void = () => {}) => {
    const bundle = shBundle(script, edit)
    bundles.push(bundle)
    const r = runt(['run', '-b', bundle, uniqueId()])
    return { out: r.stdout, status: r.status, err: r.stderr }
  }

  t.test('pid 1 in a new pid namespace, hostname, env, cwd', async t => {
    t.equal(inside('echo $$').out, '1\n')
    t.equal(inside('hostname').out, 'runt\n')
    t.equal(inside('echo $FOO', s => { s.process.env.push('FOO=bar') }).out, 'bar\n')
    t.equal(inside('pwd', s => { s.process.cwd = '/tmp' }).out, '/tmp\n')
    t.not(inside('readlink /proc/self/ns/net').out.trim(), fs.readlinkSync('/proc/self/ns/net'), 'own network namespace')
  })

  t.test('mounts: /proc, /dev, /dev/pts, /dev/shm, /sys read-only, read-only rootfs', async t => {
    const info = inside('cat /proc/self/mountinfo').out
    const mount = (dest: string) => info.split('\n').find(l => l.split(' ')[4] === dest) ?? ''
    t.match(mount('/proc'), / - proc /)
    t.match(mount('/dev'), / - tmpfs /)
    t.match(mount('/dev/pts'), / - devpts .*ptmxmode=666/)
    t.match(mount('/dev/shm'), / - tmpfs /)
    t.match(mount('/sys'), /^\S+ \S+ \S+ \S+ \/sys ro,/)
    t.match(mount('/'), /^\S+ \S+ \S+ \S+ \/ ro,/)
    t.equal(inside('touch /x 2>/dev/null && echo wrote || echo refused').out, 'refused\n')
    t.equal(inside('touch /tmp/x 2>/dev/null && echo wrote || echo refused', s => {
      s.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] })
    }).out, 'wrote\n')
    t.equal(inside('ls /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/ptmx >/dev/null && echo ok').out, 'ok\n')
    t.equal(inside('for l in /dev/fd /dev/stdin /dev/ptmx; do readlink $l; done').out, '/proc/self/fd\n/proc/self/fd/0\npts/ptmx\n')
  })

  t.test('rro: a recursive read-only bind makes its submounts read-only too', async t => {
    const src = tempDir('runt-rro-')
    fs.mkdirSync(`${src}/sub`)
    // the submount is made in a private mount namespace of a helper shell, and seen by
    // the container through it: nothing is mounted in the host's namespace
    const script = `mount -t tmpfs tmpfs ${src}/sub && exec ${RUNT} --root ${root} run -b "$0" rro${process.pid}`
    const bundle = shBundle('touch /mnt/x 2>/dev/null && echo top-writable || echo top-ro; touch /mnt/sub/y 2>/dev/null && echo sub-writable || echo sub-ro', s => {
      s.mounts.push({ destination: '/mnt', type: 'bind', source: src, options: ['rbind', 'rro'] })
    })
    bundles.push(bundle, src)
    const r = sh('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, bundle])
    t.equal(r.stdout, 'top-ro\nsub-ro\n', r.stderr)
  })

  t.test('masked paths are unreadable, readonly paths are read-only', async t => {
    t.equal(inside('cat /proc/kcore 2>/dev/null | wc -c').out.trim(), '0', '/proc/kcore masked')
    t.equal(inside('ls /proc/scsi 2>/dev/null | wc -l').out.trim(), '0', 'masked directory is empty')
    t.equal(inside('echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo wrote || echo refused').out, 'refused\n')
  })

  t.test('capabilities, rlimits, user and groups', async t => {
    t.equal(inside('grep CapEff /proc/self/status').out, 'CapEff:\t0000000020000420\n', 'AUDIT_WRITE KILL NET_BIND_SERVICE')
    t.equal(inside('grep CapBnd /proc/self/status').out, 'CapBnd:\t0000000020000420\n')
    t.equal(inside('ulimit -n').out, '1024\n')
    t.match(inside('id', s => { s.process.user = { uid: 1000, gid: 1000, additionalGids: [10, 20] } }).out,
      /^uid=1000 gid=1000 groups=10(\(\w+\))?,20(\(\w+\))?\n$/, 'uid, gid, additional gids')
    t.equal(inside('grep NoNewPrivs /proc/self/status').out, 'NoNewPrivs:\t1\n')
  })

  t.test('a user namespace with a mapping', async t => {
    const r = inside('id -u; cat /proc/self/uid_map', s => {
      s.linux.namespaces.push({ type: 'user' })
      s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
      s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    })
    t.equal(r.status, 0, r.err)
    t.match(r.out, /^0\n\s+0\s+100000\s+65536\n$/)
  })

  t.test('joining a namespace by path', async t => {
    const bundle = shBundle('exec sleep 1000')
    bundles.push(bundle)
    const a = uniqueId()
    t.equal(runt(['run', '-d', '-b', bundle, a]).status, 0)
    const pidA = JSON.parse(runt(['state', a]).stdout).pid
    const netA = fs.readlinkSync(`/proc/${pidA}/ns/net`)
    const r = inside('readlink /proc/self/ns/net', s => {
      s.linux.namespaces = s.linux.namespaces.map((ns: any) => ns.type === 'network' ? { type: 'network', path: `/proc/${pidA}/ns/net` } : ns)
    })
    t.equal(r.out.trim(), netA)
    runt(['delete', '-f', a])
  })

  t.test('only the expected descriptors reach the container', async t => {
    const bundle = shBundle('exec sleep 1000')
    bundles.push(bundle)
    const id = uniqueId()
    // runt itself is started holding extra descriptors, as a careless caller might
    const extra = fs.openSync('/etc/hostname', 'r')
    t.equal(runt(['create', '-b', bundle, id], {}, [extra]).status, 0)
    fs.closeSync(extra)
    const pid = JSON.parse(runt(['state', id]).stdout).pid
    const fds = () => fs.readdirSync(`/proc/${pid}/fd`).map(Number).sort((a, b) => a - b)
    const waiting = fds()
    t.same(waiting.slice(0, 3), [0, 1, 2])
    t.equal(waiting.length, 4, 'waiting for start: stdio and the exec fifo only')
    t.match(fs.readlinkSync(`/proc/${pid}/fd/${waiting[3]}`), /exec\.fifo$/)
    t.equal(runt(['start', id]).status, 0)
    for (let i = 0; i < 100 && fs.readlinkSync(`/proc/${pid}/exe`).startsWith('/memfd'); i++) await new Promise(r => setTimeout(r, 10))
    t.same(fds(), [0, 1, 2], 'the running process holds 0, 1, 2 only')
    runt(['delete', '-f', id])
  })
}
