import t from 'tap'
import { ConfigError } from '../../src/errors'
import { lsmProblems, refuseUnavailableLsm, HOST_LSM, type LsmHost } from '../../src/runtime/lsm'
import { withMountLabel } from '../../src/plan/mount-label'
import { buildPlan } from '../../src/plan/build'
import { encodePlan } from '../../src/plan/wire'
import { defaultSpec } from '../../src/spec/default-config'
import type { Spec } from '../../src/spec/types'
import type { MountOp } from '../../src/plan/types'

const NONE: LsmHost = { apparmor: () => false, selinux: () => false }
const BOTH: LsmHost = { apparmor: () => true, selinux: () => true }

function labelled(): Spec {
  const spec = defaultSpec({ rootless: false })
  spec.process!.apparmorProfile = 'runt-test'
  spec.process!.selinuxLabel = 'system_u:system_r:container_t:s0'
  spec.linux!.mountLabel = 'system_u:object_r:container_file_t:s0'
  return spec
}

t.test('on a host without AppArmor and SELinux each process label is refused by pointer, as runc fails on it', async t => {
  t.same(lsmProblems(labelled(), NONE), [
    '/process/apparmorProfile: apparmor profile "runt-test" cannot be applied: AppArmor is not enabled on this host',
    '/process/selinuxLabel: selinux label is specified in config, but selinux is disabled or not supported',
  ], 'a mount label is not refused: it is ignored while SELinux is disabled, as runc')
  t.throws(() => refuseUnavailableLsm(labelled(), NONE), ConfigError)
  t.same(lsmProblems({ process: { apparmorProfile: 'x', cwd: '/' } }, NONE, ''), [
    '/apparmorProfile: apparmor profile "x" cannot be applied: AppArmor is not enabled on this host',
  ], 'exec names the field of process.json')
})

t.test('with the LSMs enabled, or without labels, nothing is refused', async t => {
  t.same(lsmProblems(labelled(), BOTH), [])
  t.same(lsmProblems(defaultSpec({ rootless: false }), NONE), [])
  const empty = labelled()
  empty.process!.apparmorProfile = ''
  empty.process!.selinuxLabel = ''
  delete empty.linux!.mountLabel
  t.same(lsmProblems(empty, NONE), [], 'an empty label means none, as in runc')
})

t.test('this host (no AppArmor, SELinux not enabled) is detected as such', async t => {
  // the machines these tests run on have no securityfs and no selinuxfs mounted
  t.equal(HOST_LSM.apparmor(), false)
  t.equal(HOST_LSM.selinux(), false)
})

t.test('the plan carries the process labels to the executor', async t => {
  const facts = { isDirectory: () => true, cgroupLayout: { kind: 'unified' as const }, hasProcKcore: true, selinuxEnabled: true }
  const plan = buildPlan(labelled(), { bundle: '/b', noPivot: false, noNewKeyring: false, preserveFds: 0 }, facts)
  t.equal(plan.apparmorProfile, 'runt-test')
  t.equal(plan.selinuxLabel, 'system_u:system_r:container_t:s0')
  const bytes = encodePlan(plan)
  t.ok(bytes.includes(Buffer.from('runt-test\0')), 'encoded')
  const bare = buildPlan(defaultSpec({ rootless: false }), { bundle: '/b', noPivot: false, noNewKeyring: false, preserveFds: 0 }, facts)
  t.equal(bare.apparmorProfile, null)
  t.equal(bare.selinuxLabel, null)
  t.equal(plan.mounts.find(m => m.destination === '/dev')?.data, 'mode=755,size=65536k,context="system_u:object_r:container_file_t:s0"', 'SELinux enabled: labelled')
  const off = buildPlan(labelled(), { bundle: '/b', noPivot: false, noNewKeyring: false, preserveFds: 0 }, { ...facts, selinuxEnabled: false })
  t.equal(off.mounts.find(m => m.destination === '/dev')?.data, 'mode=755,size=65536k', 'SELinux disabled: the mount label is ignored')
})

t.test('the mount label goes on the file systems runc labels, not on binds, proc, sysfs, mqueue, cgroup', async t => {
  const op = (fstype: string, data = '', flags = 0): MountOp => ({ destination: `/${fstype}`, source: fstype, fstype, flags, propagation: [], data, recAttrSet: 0, recAttrClr: 0, createAs: 'dir', tmpcopyup: false, idmap: null })
  const mounts = [op('tmpfs', 'mode=755'), op('devpts'), op('proc'), op('sysfs'), op('mqueue'), op('cgroup'), op('none', '', 0x1000)]
  t.same(withMountLabel(mounts, 'l').map(m => m.data), ['mode=755,context="l"', 'context="l"', '', '', '', '', ''])
  t.equal(withMountLabel(mounts, undefined), mounts)
})
