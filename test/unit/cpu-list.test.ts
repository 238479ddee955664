import t from 'tap'
import { parseCpuList } from '../../src/plan/cpu-list'
import { ConfigError } from '../../src/errors'

t.test('CPU lists', async t => {
  t.equal(parseCpuList(undefined, '/x'), null)
  t.same(parseCpuList('0', '/x'), [0])
  t.same(parseCpuList('0-3,7', '/x'), [0, 1, 2, 3, 7])
  t.same(parseCpuList(' 5 , 1-2 ,2', '/x'), [1, 2, 5])
  for (const bad of ['', '3-1', 'a', '1,,2', '-1', '1024', '0-2000']) {
    t.throws(() => parseCpuList(bad, '/process/execCPUAffinity/final'), ConfigError, JSON.stringify(bad))
  }
  t.throws(() => parseCpuList('x', '/p'), { message: '/p: "x" is not a CPU list (like "0-3,7", CPUs 0 to 1023)' })
})
