import t from 'tap'
import type { CgroupLayout, Hierarchy } from '../../src/cgroups/detect'
import { cleanCgroupsPath, containerCgroupDirs, innerCgroupPath } from '../../src/cgroups/path'
import { ConfigError } from '../../src/errors'

const v1 = (key: string, ownCgroup: string): Hierarchy =>
  ({ version: 1, key, mountpoint: `/sys/fs/cgroup/${key}`, controllers: key.split(','), ownCgroup })

// this machine: the runtime sits in memory:/process_api/X, "/" elsewhere
const hybrid: CgroupLayout = {
  mode: 'hybrid',
  hierarchies: [
    v1('cpu,cpuacct', '/'),
    v1('memory', '/process_api/X'),
    { version: 2, key: 'unified', mountpoint: '/sys/fs/cgroup/unified', controllers: ['hugetlb'], ownCgroup: '/session/7' },
  ],
}
const unified: CgroupLayout = {
  mode: 'unified',
  hierarchies: [{ version: 2, key: 'unified', mountpoint: '/sys/fs/cgroup', controllers: ['memory', 'pids'], ownCgroup: '/user.slice/shell.scope' }],
}

t.test('cleanCgroupsPath: ".." never climbs out, absolute stays absolute, relative stays relative', async t => {
  t.equal(cleanCgroupsPath(''), '')
  t.equal(cleanCgroupsPath('/a/b/'), '/a/b')
  t.equal(cleanCgroupsPath('/a/../../b'), '/b')
  t.equal(cleanCgroupsPath('/'), '/')
  t.equal(cleanCgroupsPath('../../etc/x'), 'etc/x')
  t.equal(cleanCgroupsPath('a//b/./c/'), 'a/b/c')
  t.equal(cleanCgroupsPath('..'), '')
})

t.test('innerCgroupPath: an empty or vanishing cgroupsPath means the container id, relative', async t => {
  t.equal(innerCgroupPath('c1'), 'c1')
  t.equal(innerCgroupPath('c1', ''), 'c1')
  t.equal(innerCgroupPath('c1', '..'), 'c1')
  t.equal(innerCgroupPath('c1', '/k8s.io/c1'), '/k8s.io/c1')
  t.equal(innerCgroupPath('c1', 'pod/c1'), 'pod/c1')
})

t.test('innerCgroupPath refuses a path that is the hierarchy root itself', async t => {
  t.throws(() => innerCgroupPath('c1', '/'), new ConfigError(['linux.cgroupsPath "/" names no cgroup of its own for container c1'], { id: 'c1' }))
  t.throws(() => innerCgroupPath('..', ''), ConfigError)
})

t.test('absolute cgroupsPath: the same path under every mount point', async t => {
  t.same(containerCgroupDirs(hybrid, 'c1', '/runt/c1'), {
    'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct/runt/c1',
    memory: '/sys/fs/cgroup/memory/runt/c1',
    unified: '/sys/fs/cgroup/unified/runt/c1',
  })
  t.same(containerCgroupDirs(unified, 'c1', '/runt/c1'), { unified: '/sys/fs/cgroup/runt/c1' })
})

t.test('relative cgroupsPath on v1 and hybrid: below the runtime\'s own cgroup in each hierarchy', async t => {
  t.same(containerCgroupDirs(hybrid, 'c1', 'pod/c1'), {
    'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct/pod/c1',
    memory: '/sys/fs/cgroup/memory/process_api/X/pod/c1',
    unified: '/sys/fs/cgroup/unified/session/7/pod/c1',
  })
})

t.test('no cgroupsPath: <own cgroup>/<id> on v1, <parent of own cgroup>/<id> on unified (as runc)', async t => {
  t.same(containerCgroupDirs(hybrid, 'c1'), {
    'cpu,cpuacct': '/sys/fs/cgroup/cpu,cpuacct/c1',
    memory: '/sys/fs/cgroup/memory/process_api/X/c1',
    unified: '/sys/fs/cgroup/unified/session/7/c1',
  })
  t.same(containerCgroupDirs(unified, 'c1'), { unified: '/sys/fs/cgroup/user.slice/c1' })
  const atRoot: CgroupLayout = { mode: 'unified', hierarchies: [{ ...unified.hierarchies[0], ownCgroup: '/' }] }
  t.same(containerCgroupDirs(atRoot, 'c1'), { unified: '/sys/fs/cgroup/c1' })
})
