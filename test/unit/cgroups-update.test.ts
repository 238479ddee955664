import t from 'tap'
import { mergeResources, parseMemoryBytes, resourcesFromFlags } from '../../src/cgroups/update'

t.test('memory sizes as runc update takes them', async t => {
  t.equal(parseMemoryBytes('1048576', '--memory'), 1048576)
  t.equal(parseMemoryBytes('64k', '--memory'), 65536)
  t.equal(parseMemoryBytes('100M', '--memory'), 100 * 1024 ** 2)
  t.equal(parseMemoryBytes('1.5g', '--memory'), 1.5 * 1024 ** 3)
  t.equal(parseMemoryBytes('2GiB', '--memory'), 2 * 1024 ** 3)
  t.equal(parseMemoryBytes('-1', '--memory-swap'), -1)
  t.throws(() => parseMemoryBytes('lots', '--memory'), { name: 'UsageError', message: '--memory: invalid size "lots"' })
})

t.test('flags become LinuxResources; only the flags given', async t => {
  t.same(resourcesFromFlags({}), { memory: {}, cpu: {}, blockIO: {} })
  t.same(resourcesFromFlags({ memory: '256m', memorySwap: '-1', cpuShare: '512', cpuQuota: '-1', cpusetCpus: '0', pidsLimit: '20', blkioWeight: '300' }), {
    memory: { limit: 256 * 1024 ** 2, swap: -1 },
    cpu: { shares: 512, quota: -1, cpus: '0' },
    blockIO: { weight: 300 },
    pids: { limit: 20 },
  })
  t.throws(() => resourcesFromFlags({ cpuShare: '-5' }), { name: 'UsageError', message: '--cpu-share: "-5" is not a non-negative integer' })
  t.throws(() => resourcesFromFlags({ pidsLimit: 'x' }), { message: /--pids-limit/ })
})

t.test('merge: non-zero values replace, zero and absent keep, devices stay', async t => {
  const current = {
    devices: [{ allow: false, access: 'rwm' }],
    memory: { limit: 100, reservation: 50 },
    cpu: { shares: 1024, cpus: '0-1' },
    pids: { limit: 10 },
  }
  const merged = mergeResources(current, { memory: { limit: 200, reservation: 0 }, cpu: { cpus: '1' }, pids: { limit: 0 }, devices: [] })
  t.same(merged, {
    devices: [{ allow: false, access: 'rwm' }],
    memory: { limit: 200, reservation: 50 },
    cpu: { shares: 1024, cpus: '1' },
    pids: { limit: 10 },
  })
  t.same(current.memory, { limit: 100, reservation: 50 }, 'the current resources are not changed in place')
  t.same(mergeResources({}, { pids: { limit: -1 } }), { pids: { limit: -1 } }, '-1 (unlimited) is a value')
  t.same(mergeResources({}, { memory: {}, cpu: {}, blockIO: {} }), {}, 'nothing asked, nothing added')
  t.same(mergeResources({}, { hugepageLimits: [{ pageSize: '2MB', limit: 1 }] }), { hugepageLimits: [{ pageSize: '2MB', limit: 1 }] }, 'other resources pass through, to be refused by apply')
})
