// process.capabilities seen from inside: all five sets of a non-root process with an
// ambient capability, and unknown names refused before anything exists.
import t from 'tap'
import fs from 'node:fs'
import { containerSuite, shBundle, uniqueId } from './helpers'

const suite = containerSuite(t)
if (suite) {
  const { runt } = suite
  const status = 'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status'

  t.test('a non-root user: bounding, inheritable and ambient as configured; the ambient one is effective after execve', async t => {
    const bundle = shBundle(status, s => {
      s.process.user = { uid: 1000, gid: 1000 }
      s.process.capabilities = {
        bounding: ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_NET_RAW'],
        effective: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],
        permitted: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],
        inheritable: ['CAP_CHOWN', 'CAP_NET_BIND_SERVICE'],
        ambient: ['CAP_NET_BIND_SERVICE'],
      }
    })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const r = runt(['run', '-b', bundle, uniqueId('cap')])
    t.equal(r.status, 0, r.stderr)
    // CHOWN 0, KILL 5, NET_BIND_SERVICE 10, NET_RAW 13; a non-root execve keeps P and E = ambient
    t.equal(r.stdout, [
      'CapInh:\t0000000000000401', 'CapPrm:\t0000000000000400', 'CapEff:\t0000000000000400',
      'CapBnd:\t0000000000002421', 'CapAmb:\t0000000000000400', '',
    ].join('\n'))
  })

  t.test('without ambient capabilities a non-root process has none effective', async t => {
    const bundle = shBundle(status, s => {
      s.process.user = { uid: 1000, gid: 1000 }
      s.process.capabilities = { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'], inheritable: ['CAP_KILL'] }
    })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const r = runt(['run', '-b', bundle, uniqueId('cap')])
    t.equal(r.stdout, ['CapInh:\t0000000000000020', 'CapPrm:\t0000000000000000', 'CapEff:\t0000000000000000',
      'CapBnd:\t0000000000000020', 'CapAmb:\t0000000000000000', ''].join('\n'), r.stderr)
  })

  t.test('an unknown capability name is refused by pointer; no container is left', async t => {
    const id = uniqueId('cap')
    const bundle = shBundle('true', s => { s.process.capabilities.ambient = ['CAP_FLY'] })
    t.teardown(() => fs.rmSync(bundle, { recursive: true, force: true }))
    const r = runt(['create', '-b', bundle, id])
    t.equal(r.status, 1)
    t.match(r.stderr, '/process/capabilities/ambient/0: "CAP_FLY" is not a Linux capability')
    t.equal(runt(['state', id]).status, 1)
  })
}
