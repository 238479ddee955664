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
  spec.process!.selinuxLabel = 'system_u:system_r:container_t:s0'
  spec.process!.apparmorProfile = 'docker-default'
  let err: unknown
  try {
    refuseUnsupported(spec)
  } catch (e) {
    err = e
  }
  t.type(err, ConfigError)
  t.same((err as ConfigError).problems, [
    '/process/apparmorProfile: AppArmor is not supported by runt yet (and is not enabled on this host)',
    '/process/selinuxLabel: SELinux is not supported by runt yet (and is not enabled on this host)',
  ])
})
