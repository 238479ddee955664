// AppArmor and SELinux labels through bin/runt on a host that has neither enabled
// (what these machines are): each process label is refused by pointer before anything
// is created, as runc refuses or fails on it (a mount label is ignored, as runc: see
// mounts tests). The executor's writes are tested in launcher.test.ts.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { containerSuite, shBundle, uniqueId } from './helpers'
import { HOST_LSM } from '../../src/runtime/lsm'

const suite = containerSuite(t)
if (suite && (HOST_LSM.apparmor() || HOST_LSM.selinux())) t.plan(0, 'AppArmor or SELinux is enabled on this host')
else if (suite) {
  const { root, runt } = suite

  const refusals: [string, (spec: any) => void, string][] = [
    ['process.apparmorProfile', s => { s.process.apparmorProfile = 'runt-test' }, '/process/apparmorProfile: apparmor profile "runt-test" cannot be applied: AppArmor is not enabled on this host'],
    ['process.selinuxLabel', s => { s.process.selinuxLabel = 'system_u:system_r:container_t:s0' }, '/process/selinuxLabel: selinux label is specified in config, but selinux is disabled or not supported'],
  ]
  for (const [field, edit, line] of refusals) {
    t.test(`${field} on a host without the LSM: one line, exit 1, nothing created`, async t => {
      const bundle = shBundle('echo ran', edit)
      t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
      const id = uniqueId('lsm')
      const r = runt(['run', '--bundle', bundle, id])
      t.equal(r.status, 1)
      t.equal(r.stdout, '', 'the process never ran')
      t.equal(r.stderr, `${line}\n`)
      t.notOk(fs.existsSync(path.join(root, id)), 'no state directory')
    })
  }

  t.test('exec --apparmor and --process-label are refused the same way, the container keeps running', async t => {
    const bundle = shBundle('sleep 1000')
    const id = uniqueId('lsm')
    t.teardown(() => {
      runt(['delete', '--force', id])
      fs.rmSync(bundle, { recursive: true, force: true })
    })
    t.equal(runt(['run', '-d', '--bundle', bundle, id]).status, 0)
    const aa = runt(['exec', '--apparmor', 'runt-test', id, 'true'])
    t.not(aa.status, 0)
    t.equal(aa.stderr, 'exec failed: /apparmorProfile: apparmor profile "runt-test" cannot be applied: AppArmor is not enabled on this host\n')
    const se = runt(['exec', '--process-label', 'system_u:system_r:container_t:s0', id, 'true'])
    t.not(se.status, 0)
    t.equal(se.stderr, 'exec failed: /selinuxLabel: selinux label is specified in config, but selinux is disabled or not supported\n')
    t.match(runt(['state', id]).stdout, /"status": "running"/)
  })
}
