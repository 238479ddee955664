// 100 create / kill KILL / delete cycles of containers with memory, cpu and pids limits
// leave no cgroup directory in any hierarchy and no state directory. The cycles run in
// a few lanes at once, so creates and deletes also meet under the same parent groups.
import t from 'tap'
import { containerSuite } from './helpers'
import { binRunt, checkCyclesLeaveNothing } from './cycles'

const suite = containerSuite(t)
if (suite) {
  const { root } = suite
  t.test('100 create/kill/delete cycles with resources leave no cgroup and no state directory', async t => {
    await checkCyclesLeaveNothing(t, { root, runt: binRunt(root), prefix: `cycle${process.pid}-`, lanes: 4 })
  })
}
