import t from 'tap'
import { refuseUnsupported } from '../../src/runtime/unsupported'
import { defaultSpec } from '../../src/spec/default-config'
import { ConfigError } from '../../src/errors'
import type { Spec } from '../../src/spec/types'

t.test('the default config has nothing runt cannot honour', async t => {
  t.doesNotThrow(() => refuseUnsupported(defaultSpec({ rootless: false })))
})

t.test('each field runt cannot honour yet is refused by pointer, all at once', async t => {
  const spec = defaultSpec({ rootless: false }) as Spec
  spec.linux!.intelRdt = { closID: 'x' }
  spec.process!.selinuxLabel = 'system_u:system_r:container_t:s0' // implemented: runtime/lsm.ts decides
  spec.process!.apparmorProfile = 'docker-default'
  let err: unknown
  try {
    refuseUnsupported(spec)
  } catch (e) {
    err = e
  }
  t.type(err, ConfigError)
  t.same((err as ConfigError).problems, [
    '/linux/intelRdt: Intel RDT is not supported or enabled (runt has no resctrl support)',
  ])
})
