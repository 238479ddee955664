// Mounts of every kind from config.json, as the container's process sees them, and the
// host devices moved into its network namespace.
import t from 'tap'
import fs from 'node:fs'
import net from 'node:net'
import { RUNT, ROOTFS, containerSuite, sh, shBundle, tempDir, uniqueId } from './helpers'

const suite = containerSuite(t)
if (suite) {
  const { root, runt } = suite
  const cleanup: string[] = []
  t.teardown(() => { for (const p of cleanup) fs.rmSync(p, { recursive: true, force: true }) })

  /** Run a shell script in a fresh container; its stdout, stderr and exit status. */
  const inside = (script: string, edit: (spec: any) => void = () => {}) => {
    const bundle = shBundle(script, edit)
    cleanup.push(bundle)
    const r = runt(['run', '-b', bundle, uniqueId()])
    return { out: r.stdout, status: r.status, err: r.stderr }
  }
  /** A host directory the container (and its user namespace) may traverse. */
  const hostDir = (prefix: string) => {
    const dir = tempDir(prefix)
    fs.chmodSync(dir, 0o755)
    cleanup.push(dir)
    return dir
  }
  // the shared rootfs is read-only for the container and must stay untouched: new mount
  // points are made inside a tmpfs on /root
  const scratch = { destination: '/root', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] }
  const userNamespace = (s: any) => {
    s.linux.namespaces.push({ type: 'user' })
    s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
    s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }]
  }

  t.test('idmap with the mount\'s own mappings: host uid 1000 is root inside, and back', async t => {
    const src = hostDir('runt-idmap-')
    fs.mkdirSync(`${src}/data`)
    fs.writeFileSync(`${src}/data/f`, 'x')
    for (const p of [`${src}/data`, `${src}/data/f`]) fs.chownSync(p, 1000, 1000)
    const map = [{ containerID: 1000, hostID: 0, size: 1 }]
    const r = inside('stat -c "%u %g" /mnt /mnt/f; touch /mnt/made', s => {
      s.mounts.push({ destination: '/mnt', type: 'bind', source: `${src}/data`, options: ['rbind', 'idmap'], uidMappings: map, gidMappings: map })
    })
    t.equal(r.status, 0, r.err)
    t.equal(r.out, '0 0\n0 0\n', 'owned by 1000 on the host, by 0 through the mount')
    const made = fs.statSync(`${src}/data/made`)
    t.same([made.uid, made.gid], [1000, 1000], 'a file root makes inside belongs to 1000 on the host')
    const plain = inside('stat -c %u /mnt', s => { s.mounts.push({ destination: '/mnt', type: 'bind', source: `${src}/data`, options: ['rbind'] }) })
    t.equal(plain.out, '1000\n', 'the same bind without idmap')
  })

  t.test('idmap without mappings takes the container\'s user namespace mappings', async t => {
    const src = hostDir('runt-idmap-userns-')
    fs.writeFileSync(`${src}/f`, 'x') // owned by host root
    const script = 'stat -c %u /mnt/f; touch /mnt/made 2>/dev/null && echo wrote || echo refused'
    const bind = (options: string[]) => (s: any) => {
      userNamespace(s)
      s.mounts.push({ destination: '/mnt', type: 'bind', source: src, options })
    }
    const idmapped = inside(script, bind(['rbind', 'idmap']))
    t.equal(idmapped.status, 0, idmapped.err)
    t.equal(idmapped.out, '0\nwrote\n', 'host root shows as the container\'s root, who may write')
    t.equal(fs.statSync(`${src}/made`).uid, 0, 'and what it writes is host root\'s')
    t.equal(inside(script, bind(['rbind'])).out, '65534\nrefused\n', 'without idmap: unmapped, read-only to the container')
  })

  t.test('ridmap maps submounts too, idmap only the mount itself', async t => {
    const src = hostDir('runt-ridmap-')
    fs.mkdirSync(`${src}/sub`)
    fs.chownSync(src, 1000, 1000)
    const map = [{ containerID: 1000, hostID: 0, size: 1 }]
    const run = (option: string) => {
      const bundle = shBundle('stat -c %u /mnt /mnt/sub', s => {
        s.mounts.push({ destination: '/mnt', type: 'bind', source: src, options: ['rbind', option], uidMappings: map, gidMappings: map })
      })
      cleanup.push(bundle)
      // the submount (a tmpfs owned by 1000) exists only in a helper's private mount namespace
      const script = `mount -t tmpfs -o uid=1000,gid=1000 tmpfs ${src}/sub && exec ${RUNT} --root ${root} run -b "$0" ${uniqueId('ridmap')}`
      return sh('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, bundle])
    }
    const recursive = run('ridmap')
    t.equal(recursive.stdout, '0\n0\n', recursive.stderr)
    t.equal(run('idmap').stdout, '0\n1000\n')
  })

  t.test('idmap that cannot be honoured is refused by pointer', async t => {
    const r = inside('true', s => { s.mounts.push({ destination: '/mnt', type: 'bind', source: '/tmp', options: ['rbind', 'idmap'] }) })
    t.not(r.status, 0)
    t.match(r.err, /\/mounts\/\d+: "idmap" needs the mount's uidMappings and gidMappings, or a new user namespace/)
  })

  t.test('an idmapped bind the filesystem cannot map fails create, naming it, and leaves nothing', async t => {
    const id = uniqueId('badidmap')
    const map = [{ containerID: 0, hostID: 1000, size: 1 }]
    const bundle = shBundle('true', s => {
      s.mounts.push({ destination: '/mnt', type: 'bind', source: '/proc/sys', options: ['rbind', 'idmap'], uidMappings: map, gidMappings: map })
    })
    cleanup.push(bundle)
    const r = runt(['create', '-b', bundle, id])
    t.not(r.status, 0)
    t.match(r.stderr, /idmap: mount_setattr \/proc\/sys: /, 'the step and the source')
    t.equal(runt(['state', id]).status, 1, 'no container was left')
  })

  t.test('tmpcopyup: the tmpfs starts with the covered directory\'s files, owners, modes and links', async t => {
    const src = hostDir('runt-copyup-')
    fs.mkdirSync(`${src}/dir/deep`, { recursive: true })
    fs.writeFileSync(`${src}/dir/deep/file`, 'content\n')
    fs.chmodSync(`${src}/dir/deep/file`, 0o604)
    fs.chownSync(`${src}/dir/deep/file`, 1000, 1001)
    fs.chmodSync(`${src}/dir`, 0o1777)
    fs.chownSync(`${src}/dir`, 1002, 1003)
    fs.symlinkSync('deep/file', `${src}/dir/link`)
    const script = [
      'grep " /data " /proc/self/mounts | tail -1 | cut -d" " -f3',
      'stat -c "%a %u %g" /data /data/deep/file',
      'readlink /data/link; cat /data/link',
      'echo new > /data/new && echo written',
    ].join('; ')
    const r = inside(script, s => {
      s.mounts.push({ destination: '/data', type: 'bind', source: `${src}/dir`, options: ['rbind'] })
      s.mounts.push({ destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup', 'nosuid'] })
    })
    t.equal(r.status, 0, r.err)
    t.equal(r.out, 'tmpfs\n1777 1002 1003\n604 1000 1001\ndeep/file\ncontent\nwritten\n')
    t.notOk(fs.existsSync(`${src}/dir/new`), 'the covered directory is untouched')

    const etc = inside('ls /etc; cat /etc/hostname; touch /etc/new && echo writable', s => {
      s.mounts.push({ destination: '/etc', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup'] })
    })
    t.equal(etc.out, `${fs.readdirSync(`${ROOTFS}/etc`).sort().join('\n')}\n${fs.readFileSync(`${ROOTFS}/etc/hostname`, 'utf8')}writable\n`)
    t.notOk(fs.existsSync(`${ROOTFS}/etc/new`), 'the read-only rootfs got nothing')
  })

  t.test('relative destinations are relative to the container\'s /', async t => {
    const r = inside('grep -c " /root/rel " /proc/self/mounts', s => {
      s.mounts.push(scratch, { destination: 'root/rel', type: 'tmpfs', source: 'tmpfs' })
    })
    t.equal(r.out, '1\n', r.err)
  })

  t.test('a single file and a unix socket are bound onto files made for them', async t => {
    const src = hostDir('runt-files-')
    fs.writeFileSync(`${src}/config.txt`, 'from the host\n')
    const server = net.createServer()
    await new Promise<void>(resolve => server.listen(`${src}/api.sock`, resolve))
    t.teardown(() => server.close())
    const r = inside('cat /root/etc/config.txt; test -S /root/run/api.sock && echo socket; stat -c %F /root/etc', s => {
      s.mounts.push(scratch,
        { destination: '/root/etc/config.txt', type: 'bind', source: `${src}/config.txt`, options: ['bind', 'ro'] },
        { destination: '/root/run/api.sock', type: 'bind', source: `${src}/api.sock`, options: ['bind'] })
    })
    t.equal(r.status, 0, r.err)
    t.equal(r.out, 'from the host\nsocket\ndirectory\n')
  })

  t.test('a destination through a symlink is resolved inside the rootfs, never on the host', async t => {
    const src = hostDir('runt-links-')
    fs.mkdirSync(`${src}/links`)
    fs.symlinkSync('/../../etc', `${src}/links/escape`)
    fs.symlinkSync('../../..', `${src}/links/up`)
    const marker = hostDir('runt-marker-')
    fs.writeFileSync(`${marker}/marker`, 'inside\n')
    const before = fs.readFileSync('/proc/self/mountinfo', 'utf8')
    const r = inside('cat /etc/marker; grep -c " /etc " /proc/self/mounts; cat /root/links/up/etc/marker', s => {
      s.mounts.push(scratch,
        { destination: '/root/links', type: 'bind', source: `${src}/links`, options: ['rbind'] },
        { destination: '/root/links/escape', type: 'bind', source: marker, options: ['rbind', 'ro'] })
    })
    t.equal(r.status, 0, r.err)
    t.equal(r.out, 'inside\n1\ninside\n', 'the link to /../../etc named the container\'s /etc')
    t.equal(fs.readFileSync('/proc/self/mountinfo', 'utf8'), before, 'nothing was mounted on the host')
    t.notOk(fs.existsSync('/etc/marker'))
  })

  const v1Memory = fs.existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')
  t.test('cgroup mount (hybrid host): each v1 hierarchy shows the container\'s own group, read-only', { skip: v1Memory ? false : 'needs the cgroup v1 memory controller' }, async t => {
    const r = inside([
      'grep " /sys/fs/cgroup " /proc/self/mounts | cut -d" " -f3',
      'ls /sys/fs/cgroup | tr "\\n" " "; echo',
      'cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
      'cat /sys/fs/cgroup/pids/pids.max',
      'mkdir /sys/fs/cgroup/memory/sub 2>/dev/null && echo made || echo read-only',
    ].join('; '), s => {
      s.linux.resources = { memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 77 } }
    })
    t.equal(r.status, 0, r.err)
    const [fstype, list, limit, pids, ro] = r.out.split('\n')
    t.equal(fstype, 'tmpfs')
    for (const c of ['cpuset', 'devices', 'freezer', 'memory', 'pids', 'blkio']) t.ok(list!.split(' ').includes(c), `${c} is there`)
    t.equal(limit, String(64 * 1024 * 1024), 'the container\'s memory limit')
    t.equal(pids, '77', 'the container\'s pids limit')
    t.equal(ro, 'read-only')
  })

  t.test('linux.netDevices: a host device moves in under its new name, with its address, set up', async t => {
    const host = `rt${process.pid % 100000}a`
    const peer = `rt${process.pid % 100000}b`
    const link = sh('ip', ['link', 'add', host, 'type', 'veth', 'peer', 'name', peer])
    t.equal(link.status, 0, `a veth pair for the test: ${link.stderr.trim()}`)
    t.teardown(() => { sh('ip', ['link', 'del', host]) })
    t.equal(sh('ip', ['addr', 'add', '169.254.77.13/32', 'dev', host]).status, 0)
    const id = uniqueId('net')
    const bundle = shBundle('exec sleep 1000', s => { s.linux.netDevices = { [host]: { name: 'eth7' } } })
    cleanup.push(bundle)
    const created = runt(['create', '-b', bundle, id])
    t.equal(created.status, 0, created.stderr)
    const look = runt(['exec', id, 'sh', '-c', 'busybox ip -o -4 addr show dev eth7 | sed "s/  */ /g" | cut -d" " -f2,4; cat /sys/class/net/eth7/flags'])
    const [addr, flags] = look.stdout.split('\n')
    t.equal(addr, 'eth7 169.254.77.13/32', 'the address moved with it')
    t.ok(Number(flags) & 1, 'IFF_UP')
    t.not(sh('ip', ['link', 'show', host]).status, 0, 'gone from the host while the container has it')
    t.equal(runt(['delete', '-f', id]).status, 0)
    // as the spec says: not moved back; a virtual device ends with the namespace
    for (let i = 0; i < 200 && sh('ip', ['link', 'show', peer]).status === 0; i++) await new Promise(r => setTimeout(r, 10))
    t.not(sh('ip', ['link', 'show', peer]).status, 0, 'the veth pair went with the container\'s namespace')
  })

  t.test('linux.netDevices: a missing device fails create, naming it, and leaves nothing', async t => {
    const id = uniqueId('nonet')
    const bundle = shBundle('true', s => { s.linux.netDevices = { 'runt-none0': {} } })
    cleanup.push(bundle)
    const r = runt(['create', '-b', bundle, id])
    t.not(r.status, 0)
    t.match(r.stderr, /runt-none0: no such device/)
    t.equal(runt(['state', id]).status, 1, 'no container was left')
  })

  const selinux = fs.existsSync('/sys/fs/selinux/enforce')
  t.test('mountLabel is ignored while SELinux is disabled (as runc); intelRdt is refused', { skip: selinux ? 'SELinux is enabled here' : false }, async t => {
    const labelled = inside('echo ran', s => { s.linux.mountLabel = 'system_u:object_r:container_file_t:s0:c1,c2' })
    t.equal(labelled.out, 'ran\n', labelled.err)
    const rdt = inside('echo ran', s => { s.linux.intelRdt = { closID: 'guaranteed' } })
    t.not(rdt.status, 0)
    t.equal(rdt.out, '')
    t.match(rdt.err, '/linux/intelRdt: Intel RDT is not supported or enabled')
  })
}
