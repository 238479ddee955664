// Capabilities a kernel lacks: named so runt can warn before leaving them out.
import t from 'tap'
import { capabilitiesAbove } from '../../src/spec/linux-names'

t.test('the names numbered above cap_last_cap, from every set, sorted and once', async t => {
  const caps = { bounding: ['CAP_CHOWN', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE'], effective: ['CAP_PERFMON'], ambient: ['CAP_BPF', 'CAP_NOT_A_CAP'] }
  t.same(capabilitiesAbove(caps, 40), [], 'a 5.9+ kernel has them all')
  t.same(capabilitiesAbove(caps, 37), ['CAP_BPF', 'CAP_CHECKPOINT_RESTORE', 'CAP_PERFMON'], 'a kernel before 5.8 (CAP_AUDIT_READ last)')
  t.same(capabilitiesAbove(undefined, 37), [])
})
