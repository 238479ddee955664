// linux.resources.devices as a cgroup v2 device filter (BPF), for real:
// - the addon's loader on a scratch group of whatever cgroup2 mount the host has (the
//   hybrid development hosts have one at /sys/fs/cgroup/unified): a process in the group
//   can open what the filter allows and nothing else, and a second attach replaces the first;
// - containers: the default spec (deny all + the default devices) runs, a device no rule
//   allows cannot be written, a rule allowing only reads allows only reads. These run on
//   every host (v1 applies the same rules with its devices controller) and test the filter
//   on a cgroup v2 host (test/v2/run.sh).
import t from 'tap'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { detectLayout } from '../../src/cgroups/detect'
import { compileDeviceRules, encodeProgram } from '../../src/cgroups/device-filter'
import { checkDeviceRule } from '../../src/cgroups/devices'
import type { DeviceCgroup } from '../../src/spec/types'
import { native } from '../../src/sys/native'
import { containerSuite, shBundle, uniqueId } from './helpers'
import { startDetached } from './cgroups-helpers'

const suite = containerSuite(t)
if (suite) {
  const { runt } = suite
  const layout = detectLayout()
  const cgroup2 = layout.hierarchies.find(h => h.version === 2)

  const program = (rules: DeviceCgroup[]) => encodeProgram(compileDeviceRules(rules.map(checkDeviceRule)))

  t.test('the loader: a filter attached to a scratch cgroup2 group decides what its processes may open', { skip: !cgroup2 && 'this host has no cgroup2 mount' }, async t => {
    const dir = path.join(cgroup2!.mountpoint, uniqueId('runt-bpf-test'))
    fs.mkdirSync(dir)
    t.teardown(() => fs.rmdirSync(dir))
    // a shell that moves itself into the group, then tries both nodes
    const probe = () => spawnSync('sh', ['-c', `echo $$ > ${dir}/cgroup.procs && true < /dev/null && echo null-ok; true < /dev/zero && echo zero-ok`], { encoding: 'utf8', timeout: 30_000 })

    t.equal(native().attachDeviceFilter(dir, program([{ allow: false }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }])), 0, 'a first filter replaces nothing')
    let r = probe()
    t.equal(r.stdout, 'null-ok\n', '/dev/null opens, /dev/zero does not')
    t.match(r.stderr, /\/dev\/zero: Operation not permitted/)

    t.equal(native().attachDeviceFilter(dir, program([{ allow: false }, { allow: true, type: 'c', major: 1 }])), 1, 'the second attach replaces runt\'s first filter')
    r = probe()
    t.equal(r.stdout, 'null-ok\nzero-ok\n', 'the old filter is gone: both open')

    // errors name the call, the group and the errno; a rejected program carries the verifier's log
    t.throws(() => native().attachDeviceFilter(dir, Buffer.from([0x95, 0, 0, 0, 0, 0, 0, 0])), { code: 'EACCES', message: new RegExp(`^bpf\\(BPF_PROG_LOAD\\): Permission denied \\(${dir}\\): .*R0 !read_ok`) })
    t.throws(() => native().attachDeviceFilter(path.join(dir, 'missing'), program([])), { code: 'ENOENT', message: /^open: No such file or directory \(.*missing\)/ })
  })

  const run = (script: string, edit: (spec: any) => void = () => {}) => {
    const bundle = shBundle(script, edit)
    try {
      return runt(['run', '-b', bundle, uniqueId('devfilter')])
    } finally {
      fs.rmSync(bundle, { recursive: true, force: true })
    }
  }

  t.test(`the default spec's device rules (deny all, then the default devices) run: ${layout.mode} host`, async t => {
    const r = run('echo x > /dev/null && head -c 4 /dev/zero | wc -c && echo ok')
    t.equal(r.stderr, '')
    t.equal(r.stdout.replace(/ /g, ''), '4\nok\n')
    t.equal(r.status, 0)
  })

  // /dev/kmsg's numbers, made by linux.devices under another name and allowed by no default rule
  const node = (spec: any) => { spec.linux.devices = [{ path: '/dev/denied', type: 'c', major: 1, minor: 11, fileMode: 0o666 }] }

  t.test('a node no rule allows cannot be opened; a rule allowing writes allows only writes', async t => {
    // (opening /dev/kmsg for reading also needs CAP_SYSLOG, which the container lacks; a
    // write-only open needs nothing)
    const script = 'true < /dev/denied && echo read-ok; echo runt-device-filter-test > /dev/denied && echo write-ok; echo x > /dev/null && echo null-ok'
    let r = run(script, node)
    t.equal(r.stdout, 'null-ok\n', 'neither read nor write of /dev/denied')
    t.match(r.stderr, /can't open \/dev\/denied: Operation not permitted[^]*can't create \/dev\/denied: Operation not permitted/)
    r = run(script, spec => {
      node(spec)
      spec.linux.resources.devices.push({ allow: true, type: 'c', major: 1, minor: 11, access: 'w' })
    })
    t.equal(r.stdout, 'write-ok\nnull-ok\n', 'writing allowed, reading not')
    t.equal(r.stderr, "sh: can't open /dev/denied: Operation not permitted\n")
  })

  t.test('update leaves the device rules alone, even when its resources list devices (as runc)', async t => {
    const { id, dir } = startDetached(runt, t, 'devfilter', 'exec sleep 1000', node)
    const file = path.join(dir, 'resources.json')
    fs.writeFileSync(file, JSON.stringify({ devices: [{ allow: true, access: 'rwm' }], pids: { limit: 50 } }))
    const r = runt(['update', '--resources', file, id])
    t.equal(r.status, 0, r.stderr)
    const e = runt(['exec', id, 'sh', '-c', 'echo x > /dev/denied || echo denied; echo x > /dev/null && echo null-ok'])
    t.equal(e.stdout, 'denied\nnull-ok\n')
  })
}
