// 100 create / kill KILL / delete cycles of containers with memory, cpu and pids limits
// leave no cgroup directory in any hierarchy and no state directory.
// The calls run runt's command code in this process (cycles.ts: inProcessRunt): 300
// node starts take minutes on a busy machine, past the file limit of .taprc. The same
// cycles through bin/runt (start and all) are in leaks.test.ts.
import t from 'tap'
import { containerSuite } from './helpers'
import { checkCyclesLeaveNothing, inProcessRunt } from './cycles'

const suite = containerSuite(t)
if (suite) {
  const { root } = suite
  t.test('100 create/kill/delete cycles with resources leave no cgroup and no state directory', async t => {
    await checkCyclesLeaveNothing(t, { root, runt: inProcessRunt(root), prefix: `cycle${process.pid}-` })
  })
}
