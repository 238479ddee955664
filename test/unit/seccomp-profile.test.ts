// linux.seccomp -> the rules libseccomp compiles: actions with their errno, operators,
// architectures, flags, runc's rule splitting, and the semantic checks.
import t from 'tap'
import { ConfigError } from '../../src/errors'
import { ACTIONS, ARCHITECTURES, FLAG_NEW_LISTENER, FLAG_TSYNC_ESRCH, FLAGS, OPERATORS, libseccompArch, seccompRules } from '../../src/seccomp/profile'
import type { Seccomp } from '../../src/spec/types'

function problems(s: Seccomp): readonly string[] {
  try {
    seccompRules(s)
  } catch (e) {
    if (e instanceof ConfigError) return e.problems
    throw e
  }
  return []
}

t.test('actions: ERRNO and TRACE carry their errno (EPERM by default), KILL is KILL_THREAD', async t => {
  const r = seccompRules({
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: 38,
    syscalls: [
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['mkdir'], action: 'SCMP_ACT_ERRNO' },
      { names: ['ptrace'], action: 'SCMP_ACT_TRACE', errnoRet: 7 },
      { names: ['kill'], action: 'SCMP_ACT_KILL' },
      { names: ['reboot'], action: 'SCMP_ACT_KILL_PROCESS' },
      { names: ['sync'], action: 'SCMP_ACT_LOG' },
      { names: ['getpid'], action: 'SCMP_ACT_TRAP' },
    ],
  })
  t.equal(r.defaultAction, 0x00050000 + 38)
  t.same(r.rules.map(x => [x.name, x.action]), [
    ['read', 0x7fff0000], ['mkdir', 0x00050001], ['ptrace', 0x7ff00007], ['kill', 0],
    ['reboot', 0x80000000], ['sync', 0x7ffc0000], ['getpid', 0x00030000],
  ])
  t.equal(r.flags, 0)
  t.equal(r.notify, false)
})

t.test('a rule with the default action is left out (the default does it; libseccomp refuses it)', async t => {
  const r = seccompRules({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' }, { names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] })
  t.same(r.rules.map(x => x.name), ['mkdir'])
})

t.test('arguments: one rule with all of them, one rule each when an index repeats (as runc)', async t => {
  const r = seccompRules({
    defaultAction: 'SCMP_ACT_ALLOW',
    syscalls: [
      { names: ['personality'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 0xffffffff, op: 'SCMP_CMP_NE' }, { index: 1, value: 3, valueTwo: 1, op: 'SCMP_CMP_MASKED_EQ' }] },
      { names: ['clone'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 0, value: 2, op: 'SCMP_CMP_GT' }] },
    ],
  })
  t.same(r.rules, [
    { name: 'personality', action: 0x00050001, args: [{ index: 0, op: OPERATORS.SCMP_CMP_NE, a: 0xffffffffn, b: 0n }, { index: 1, op: 7, a: 3n, b: 1n }] },
    { name: 'clone', action: 0x00050001, args: [{ index: 0, op: 4, a: 1n, b: 0n }] },
    { name: 'clone', action: 0x00050001, args: [{ index: 0, op: 6, a: 2n, b: 0n }] },
  ])
  t.same(Object.values(OPERATORS), [1, 2, 3, 4, 5, 6, 7], 'SCMP_CMP_NE .. SCMP_CMP_MASKED_EQ')
  const big = seccompRules({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['x'], action: 'SCMP_ACT_LOG', args: [{ index: 5, value: 18446744073709551615, op: 'SCMP_CMP_EQ' }] }] })
  t.equal(big.rules[0].args[0].a, (1n << 64n) - 1n, 'a value rounded past 2^64-1 by JSON is 2^64-1')
})

t.test('architectures become libseccomp names', async t => {
  t.same(seccompRules({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'] }).architectures, ['x86_64', 'x86', 'x32'])
  t.equal(libseccompArch('SCMP_ARCH_MIPSEL64N32'), 'mipsel64n32')
  t.equal(ARCHITECTURES.length, 23)
})

t.test('flags: the config\'s, plus NEW_LISTENER for SCMP_ACT_NOTIFY, and TSYNC_ESRCH with both', async t => {
  t.equal(seccompRules({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'] }).flags, 2 | 4)
  const n = seccompRules({
    defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock',
    flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
    syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }],
  })
  t.equal(n.notify, true)
  t.equal(n.flags, FLAGS.SECCOMP_FILTER_FLAG_TSYNC | FLAGS.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | FLAG_NEW_LISTENER | FLAG_TSYNC_ESRCH)
})

t.test('semantic checks name the field', async t => {
  t.same(problems({ defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 1 }), [
    '/linux/seccomp/defaultErrnoRet: SCMP_ACT_ALLOW takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)',
  ])
  t.same(problems({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['a'], action: 'SCMP_ACT_KILL', errnoRet: 1 }, { names: ['b'], action: 'SCMP_ACT_ERRNO', errnoRet: 70000 }] }), [
    '/linux/seccomp/syscalls/0/errnoRet: SCMP_ACT_KILL takes no errno (only SCMP_ACT_ERRNO and SCMP_ACT_TRACE do)',
    '/linux/seccomp/syscalls/1/errnoRet: 70000 does not fit the 16 bits seccomp returns',
  ])
  t.same(problems({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'sendmsg'], action: 'SCMP_ACT_NOTIFY' }] }), [
    '/linux/seccomp/syscalls/0/names: SCMP_ACT_NOTIFY cannot be used for sendmsg (runt sends the listener fd with it)',
    '/linux/seccomp/listenerPath: required when an action is SCMP_ACT_NOTIFY',
  ])
  t.same(problems({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/a' }), [
    '/linux/seccomp/defaultAction: SCMP_ACT_NOTIFY cannot be the default action (the runtime itself must make syscalls after the filter is in place)',
  ])
  t.same(problems({ defaultAction: 'SCMP_ACT_ALLOW', listenerMetadata: 'x' }), ['/linux/seccomp/listenerMetadata: must not be set without listenerPath'])
  t.same(problems({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['a'], action: 'SCMP_ACT_LOG', args: [{ index: 6, value: 0, op: 'SCMP_CMP_EQ' }] }] }), [
    '/linux/seccomp/syscalls/0/args/0/index: 6 is not an argument (a syscall has six, 0 to 5)',
  ])
  t.same(problems({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] }), [
    '/linux/seccomp/flags: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an SCMP_ACT_NOTIFY rule (the kernel refuses it without a listener)',
  ])
  t.equal(Object.keys(ACTIONS).length, 9)
})
