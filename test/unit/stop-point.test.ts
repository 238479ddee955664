// The executor's test stop point: named only by RUNT_TEST_STOP_AT in runt's environment,
// added to the plan by the launcher, never by a plan built from config.json.
import t from 'tap'
import { EXECUTOR_STOP_POINTS, executorStopPoint } from '../../src/debug/stop-point'
import { buildPlan } from '../../src/plan/build'
import { buildExecPlan } from '../../src/plan/exec-plan'
import { defaultSpec } from '../../src/spec/default-config'

function withStopAt(value: string | undefined, fn: () => void): void {
  const old = process.env.RUNT_TEST_STOP_AT
  if (value === undefined) delete process.env.RUNT_TEST_STOP_AT
  else process.env.RUNT_TEST_STOP_AT = value
  try {
    fn()
  } finally {
    if (old === undefined) delete process.env.RUNT_TEST_STOP_AT
    else process.env.RUNT_TEST_STOP_AT = old
  }
}

t.test('executorStopPoint: only an executor point that RUNT_TEST_STOP_AT names', async t => {
  t.same(EXECUTOR_STOP_POINTS, ['exec:capset'])
  withStopAt(undefined, () => t.equal(executorStopPoint(), null, 'unset: none'))
  withStopAt('', () => t.equal(executorStopPoint(), null, 'empty: none'))
  withStopAt('exec:pid', () => t.equal(executorStopPoint(), null, "runt's own points are not the executor's"))
  withStopAt('exec:capset', () => t.equal(executorStopPoint(), 'exec:capset'))
})

t.test('plans built from a config or exec flags never carry a stop point, whatever the environment', async t => {
  withStopAt('exec:capset', () => {
    const spec: any = defaultSpec({ rootless: false })
    spec.annotations = { RUNT_TEST_STOP_AT: 'exec:capset' }
    spec.process.env.push('RUNT_TEST_STOP_AT=exec:capset')
    spec.process.testStopAt = 'exec:capset'
    const facts = { isDirectory: () => true, cgroupLayout: { kind: 'unified' as const }, hasProcKcore: true }
    const init = buildPlan(spec, { bundle: '/b', noPivot: false, noNewKeyring: false, preserveFds: 0 }, facts)
    t.notOk(init.testStopAt, 'init plan')
    const exec = buildExecPlan({}, spec.process, { preserveFds: 0 })
    t.notOk(exec.testStopAt, 'exec plan')
  })
})
