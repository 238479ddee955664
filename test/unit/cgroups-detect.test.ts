import t from 'tap'
import { buildLayout, cgroupWithinMount, parseCgroupMounts, parseProcCgroup } from '../../src/cgroups/detect'
import { SystemError } from '../../src/errors'

// Captured on the development machine (hybrid: v1 controllers + cgroup2 at /sys/fs/cgroup/unified).
const HYBRID_MOUNTINFO = `22 27 0:21 / /proc rw,relatime - proc proc rw
23 27 0:22 / /sys rw,relatime - sysfs sysfs rw
27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`
const HYBRID_CGROUP = `9:name=systemd:/
8:pids:/
7:blkio:/
6:freezer:/
5:devices:/
4:memory:/process_api/1ef55b4241c8cf12980c1e5394ef8631
3:cpuset:/
2:cpuacct:/
1:cpu:/
0::/
`

// Captured in the cgroup v2 VM (tools/run-in-v2-vm.sh).
const UNIFIED_MOUNTINFO = `24 29 0:5 / /dev rw,relatime - devtmpfs dev rw,size=486168k,nr_inodes=121542,mode=755,inode64
29 1 0:24 / / rw,relatime - overlay overlay rw,lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w
22 29 0:20 / /proc rw,relatime - proc proc rw
23 29 0:21 / /sys rw,relatime - sysfs sys rw
35 23 0:31 / /sys/fs/cgroup rw,relatime - cgroup2 cgroup2 rw,nsdelegate
38 23 0:32 / /sys/fs/bpf rw,relatime - bpf bpf rw
`
const UNIFIED_CGROUP = '0::/\n'
const UNIFIED_CONTROLLERS = 'cpuset cpu io memory hugetlb pids rdma misc\n'

// A v1-only host as Docker's containers see it (co-mounted cpu,cpuacct, an optional
// field in mountinfo, mount roots equal to the container's cgroup).
const LEGACY_MOUNTINFO = `600 599 0:50 /docker/abc /sys/fs/cgroup/cpu,cpuacct ro,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct
601 599 0:51 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory
602 599 0:52 /docker/abc /sys/fs/cgroup/systemd ro,nosuid - cgroup cgroup rw,xattr,name=systemd
603 599 0:53 / /sys/fs/cgroup/net_cls,net_prio ro,nosuid - cgroup cgroup rw,net_cls,net_prio
`
const LEGACY_CGROUP = `4:net_cls,net_prio:/
3:name=systemd:/docker/abc/inner
2:memory:/docker/abc
1:cpu,cpuacct:/docker/abc
`

const noController = () => t.fail('no cgroup2 mount to read') as unknown as string

t.test('parseCgroupMounts keeps only cgroup and cgroup2 mounts, with root and options', async t => {
  const mounts = parseCgroupMounts(HYBRID_MOUNTINFO)
  t.equal(mounts.length, 10)
  t.same(mounts[9], { root: '/', mountpoint: '/sys/fs/cgroup/unified', fstype: 'cgroup2', superOptions: ['rw'] })
  t.same(parseCgroupMounts(LEGACY_MOUNTINFO)[0], {
    root: '/docker/abc', mountpoint: '/sys/fs/cgroup/cpu,cpuacct', fstype: 'cgroup', superOptions: ['rw', 'cpu', 'cpuacct'],
  })
  t.equal(parseCgroupMounts('70 31 0:40 / /mnt/my\\040cgroups rw - cgroup2 none rw\n')[0].mountpoint, '/mnt/my cgroups')
})

t.test('parseProcCgroup reads id, controllers and path; the cgroup2 line has no controllers', async t => {
  const entries = parseProcCgroup(HYBRID_CGROUP)
  t.equal(entries.length, 10)
  t.same(entries[0], { hierarchyId: 9, controllers: ['name=systemd'], path: '/' })
  t.same(entries[9], { hierarchyId: 0, controllers: [], path: '/' })
  t.same(parseProcCgroup(LEGACY_CGROUP)[0].controllers, ['net_cls', 'net_prio'])
})

t.test('this machine: hybrid, each v1 hierarchy with its own cgroup, plus the cgroup2 mount', async t => {
  const layout = buildLayout(parseCgroupMounts(HYBRID_MOUNTINFO), parseProcCgroup(HYBRID_CGROUP), mp => {
    t.equal(mp, '/sys/fs/cgroup/unified')
    return 'hugetlb\n'
  })
  t.equal(layout.mode, 'hybrid')
  t.same(layout.hierarchies.map(h => h.key), ['blkio', 'cpu', 'cpuacct', 'cpuset', 'devices', 'freezer', 'memory', 'pids', 'systemd', 'unified'])
  t.same(layout.hierarchies.find(h => h.key === 'memory'), {
    version: 1, key: 'memory', mountpoint: '/sys/fs/cgroup/memory', controllers: ['memory'],
    ownCgroup: '/process_api/1ef55b4241c8cf12980c1e5394ef8631',
  })
  t.same(layout.hierarchies.find(h => h.key === 'systemd')?.controllers, ['name=systemd'])
  t.same(layout.hierarchies.find(h => h.key === 'unified'), {
    version: 2, key: 'unified', mountpoint: '/sys/fs/cgroup/unified', controllers: ['hugetlb'], ownCgroup: '/',
  })
})

t.test('the v2 VM: unified, one hierarchy with the root controllers', async t => {
  const layout = buildLayout(parseCgroupMounts(UNIFIED_MOUNTINFO), parseProcCgroup(UNIFIED_CGROUP), () => UNIFIED_CONTROLLERS)
  t.same(layout, {
    mode: 'unified',
    hierarchies: [{
      version: 2, key: 'unified', mountpoint: '/sys/fs/cgroup',
      controllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids', 'rdma', 'misc'], ownCgroup: '/',
    }],
  })
})

t.test('v1 only: legacy, co-mounted and named hierarchies, own cgroup relative to the mount root', async t => {
  const layout = buildLayout(parseCgroupMounts(LEGACY_MOUNTINFO), parseProcCgroup(LEGACY_CGROUP), noController)
  t.equal(layout.mode, 'legacy')
  t.same(layout.hierarchies.map(h => [h.key, h.controllers, h.ownCgroup]), [
    ['cpu,cpuacct', ['cpu', 'cpuacct'], '/'],
    ['memory', ['memory'], '/'],
    ['net_cls,net_prio', ['net_cls', 'net_prio'], '/'],
    ['systemd', ['name=systemd'], '/inner'],
  ])
})

t.test('a hierarchy listed in /proc/self/cgroup but not mounted is left out', async t => {
  const layout = buildLayout(parseCgroupMounts(LEGACY_MOUNTINFO), parseProcCgroup('9:perf_event:/\n2:memory:/docker/abc\n'), noController)
  t.same(layout.hierarchies.map(h => h.key), ['memory'])
})

t.test('bind mounts of one hierarchy: the one under /sys/fs/cgroup is used', async t => {
  const mountinfo = `90 1 0:32 / /var/lib/x/memory rw - cgroup cgroup rw,memory
35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
`
  const layout = buildLayout(parseCgroupMounts(mountinfo), parseProcCgroup('4:memory:/a\n'), noController)
  t.equal(layout.hierarchies[0].mountpoint, '/sys/fs/cgroup/memory')
})

t.test('no cgroup mount at all is a SystemError naming mountinfo', async t => {
  t.throws(() => buildLayout([], parseProcCgroup('0::/\n'), noController),
    new SystemError('no cgroup filesystem is mounted (checked /proc/self/mountinfo)', { path: '/proc/self/mountinfo' }))
})

t.test('cgroupWithinMount strips the mount root of nested containers', async t => {
  t.equal(cgroupWithinMount('/a/b', '/'), '/a/b')
  t.equal(cgroupWithinMount('/docker/abc', '/docker/abc'), '/')
  t.equal(cgroupWithinMount('/docker/abc/x', '/docker/abc'), '/x')
  t.equal(cgroupWithinMount('/docker/abcd', '/docker/abc'), '/docker/abcd')
})
