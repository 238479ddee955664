import t from 'tap'
import { parseSignal } from '../../src/runtime/signals'
import { filterPsOutput } from '../../src/cli/ps'
import { checkTerminalMode } from '../../src/runtime/terminal-mode'
import { UsageError } from '../../src/errors'

t.test('signals by name, SIG name, any case, number, realtime', async t => {
  for (const s of ['KILL', 'SIGKILL', 'kill', 'sigkill', '9']) t.equal(parseSignal(s), 9, s)
  for (const s of ['TERM', 'SIGTERM', '15']) t.equal(parseSignal(s), 15, s)
  t.equal(parseSignal('SIGUSR1'), 10)
  t.equal(parseSignal('RTMIN+2'), 36)
  t.equal(parseSignal('SIGRTMAX'), 64)
  for (const bad of ['SIGNOPE', '0', '65', '', '-9', 'RTMIN+40']) {
    t.throws(() => parseSignal(bad), UsageError, `rejects ${JSON.stringify(bad)}`)
  }
  t.throws(() => parseSignal('NOPE'), { message: 'unknown signal "NOPE"' })
})

t.test('ps table keeps the header and the container rows', async t => {
  const out = [
    'UID          PID    PPID  C STIME TTY          TIME CMD',
    'root           1       0  0 07:00 ?        00:00:01 /sbin/init',
    'root        4242       1  0 07:01 ?        00:00:00 sleep 1000',
    'root        4243    4242  0 07:01 ?        00:00:00 sleep 1001',
    '',
  ].join('\n')
  t.equal(filterPsOutput(out, [4242, 4243]), [out.split('\n')[0], out.split('\n')[2], out.split('\n')[3]].join('\n') + '\n')
  t.equal(filterPsOutput(out, []), out.split('\n')[0] + '\n')
  t.throws(() => filterPsOutput('USER COMMAND\nroot x\n', [1]), { message: "couldn't find PID field in ps output" })
})

t.test("terminal modes: runc's refused combinations", async t => {
  t.doesNotThrow(() => checkTerminalMode(false, undefined, true), 'detached pass-through')
  t.doesNotThrow(() => checkTerminalMode(false, undefined, false), 'foreground pass-through')
  t.doesNotThrow(() => checkTerminalMode(true, '/tmp/s', true), 'detached with console socket')
  t.throws(() => checkTerminalMode(false, '/tmp/s', true), UsageError, 'socket without terminal')
  t.throws(() => checkTerminalMode(true, undefined, true), UsageError, 'detached terminal without socket')
})
