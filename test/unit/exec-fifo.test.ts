// The wait of `start` for the init's byte on the exec fifo (awaitStartByte), against a
// scripted init: when it writes its byte, when it exits.
import t from 'tap'
import { awaitStartByte } from '../../src/runtime/exec-fifo'

const ZERO = 0x30

/** An init that writes its byte and exits after the reader's n-th empty read. */
function initThatExitsAfterRead(n: number) {
  const init = { alive: true, byte: null as number | null, reads: 0, pauses: 0 }
  return {
    init,
    readByte: () => {
      const got = init.byte
      init.reads++
      // right after this read came back empty, the init writes and exits (as /bin/true does)
      if (got === null && init.reads === n) {
        init.byte = ZERO
        init.alive = false
      }
      return got
    },
    alive: () => init.alive,
    pause: () => { init.pauses++ },
  }
}

t.test('an init that writes its byte and exits between an empty read and the liveness check is started, not stopped', async t => {
  const s = initThatExitsAfterRead(1)
  t.equal(awaitStartByte(s.readByte, s.alive, s.pause), ZERO)
  t.equal(s.init.reads, 2, 'the byte is read after the init was seen gone')
})

t.test('the same after a few empty reads', async t => {
  const s = initThatExitsAfterRead(4)
  t.equal(awaitStartByte(s.readByte, s.alive, s.pause), ZERO)
  t.equal(s.init.pauses, 3, 'a wait after each empty read while the init lives')
})

t.test('an init gone without writing: null (stopped), after one wait and one last read', async t => {
  let reads = 0
  let pauses = 0
  let asked = 0
  t.equal(awaitStartByte(() => { reads++; return null }, () => { asked++; return false }, () => { pauses++ }), null)
  t.same({ reads, pauses, asked }, { reads: 3, pauses: 1, asked: 1 }, 'liveness is asked only after the wait')
})

t.test('a byte that comes during the first wait is taken without asking whether the init lives', async t => {
  let byte: number | null = null
  t.equal(awaitStartByte(() => byte, () => t.fail('liveness not asked') as never, () => { byte = ZERO }), ZERO)
})

t.test('a byte already there is taken whether or not the init still lives', async t => {
  t.equal(awaitStartByte(() => 0x31, () => false, () => t.fail('no pause')), 0x31)
  t.equal(awaitStartByte(() => ZERO, () => true, () => t.fail('no pause')), ZERO)
})
