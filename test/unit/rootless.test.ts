import t from 'tap'
import { helperArgs } from '../../src/launcher/id-maps'
import { isRootless } from '../../src/runtime/create-container'

t.test('--rootless: true and false as given; auto means an unprivileged runtime', async t => {
  t.equal(isRootless({ rootless: 'true' }, 0), true)
  t.equal(isRootless({ rootless: 'false' }, 1000), false)
  t.equal(isRootless({ rootless: 'auto' }, 1000), true)
  t.equal(isRootless({ rootless: 'auto' }, 0), false)
})

t.test('newuidmap/newgidmap get the pid, then inside, outside and count per range', async t => {
  t.same(helperArgs(42, [{ containerID: 0, hostID: 1001, size: 1 }, { containerID: 1, hostID: 100000, size: 65536 }]), ['42', '0', '1001', '1', '1', '100000', '65536'])
})
