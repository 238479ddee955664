import t, { type Test } from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { buildSync } from 'esbuild'
import { HookError, runHooks, runHooksWarnOnly, type HookState } from '../../src/hooks/run'
import { hookStateJson, stateForHooks } from '../../src/hooks/state'
import type { Hook } from '../../src/spec/types'

const state: HookState = {
  ociVersion: '1.3.0',
  id: 'ctr-1',
  status: 'creating',
  pid: 4242,
  bundle: '/run/bundles/ctr-1',
  annotations: { 'org.example/key': 'value' },
}

/** A #!/bin/sh hook script in dir; returns its path. */
function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name)
  fs.writeFileSync(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 })
  return file
}

/**
 * A hook that records, under <dir>/<tag>.*, its argv ($1.. as the kernel passes them to a
 * script), its initial environment, its stdin and its working directory, and appends the
 * tag to <dir>/order. It takes the tag as its first argument.
 */
function recorder(dir: string): string {
  return script(dir, 'record', [
    `d=${dir}`,
    'tag=$1',
    'printf "%s\\n" "$@" > "$d/$tag.argv"',
    '/bin/cat /proc/$$/environ > "$d/$tag.env"',
    '/bin/cat > "$d/$tag.stdin"',
    'pwd > "$d/$tag.cwd"',
    'echo "$tag" >> "$d/order"',
  ].join('\n'))
}

const read = (dir: string, file: string) => fs.readFileSync(path.join(dir, file), 'utf8')
const environOf = (dir: string, tag: string) => read(dir, `${tag}.env`).split('\0').filter(e => e !== '')
const orderIn = (dir: string) => (fs.existsSync(path.join(dir, 'order')) ? read(dir, 'order').trim().split('\n') : [])

function caught(fn: () => void): HookError {
  try {
    fn()
  } catch (err) {
    if (err instanceof HookError) return err
    throw err
  }
  throw new Error('expected a HookError')
}

t.test('hooks run in order, each with its own args, and get the state JSON on stdin', async t => {
  const dir = t.testdir()
  const rec = recorder(dir)
  const hooks: Hook[] = [
    { path: rec, args: ['record', 'one', 'x y'] },
    { path: rec, args: ['record', 'two'] },
    { path: rec, args: ['record', 'three', '--flag=1'] },
  ]
  runHooks('createRuntime', hooks, state)
  t.same(orderIn(dir), ['one', 'two', 'three'])
  t.equal(read(dir, 'one.argv'), 'one\nx y\n')
  t.equal(read(dir, 'three.argv'), 'three\n--flag=1\n')
  for (const tag of ['one', 'two', 'three']) {
    const stdin = read(dir, `${tag}.stdin`)
    t.same(JSON.parse(stdin), state, `${tag} read the state`)
  }
  t.equal(
    read(dir, 'one.stdin'),
    '{"ociVersion":"1.3.0","id":"ctr-1","status":"creating","pid":4242,"bundle":"/run/bundles/ctr-1","annotations":{"org.example/key":"value"}}',
  )
})

t.test('argv[0] is args[0] when args are given, else the path', async t => {
  const dir = t.testdir()
  // A script started through its #! line loses argv[0]; run one through /bin/sh and read
  // the shell's own command line, which is exactly the argv it was executed with.
  const body = script(dir, 'cmdline', `/bin/cat /proc/$$/cmdline > ${dir}/cmdline`)
  runHooks('prestart', [{ path: '/bin/sh', args: ['custom-name', body, 'arg1'] }], state)
  t.same(read(dir, 'cmdline').split('\0').slice(0, -1), ['custom-name', body, 'arg1'])

  // coreutils name themselves by argv[0] in their complaints
  const noArgs = caught(() => runHooks('prestart', [{ path: '/bin/mkdir' }], state))
  t.match(noArgs.stderr, /^\/bin\/mkdir: missing operand/)
  const emptyArgs = caught(() => runHooks('prestart', [{ path: '/bin/mkdir', args: [] }], state))
  t.match(emptyArgs.stderr, /^\/bin\/mkdir: missing operand/)
  const renamed = caught(() => runHooks('prestart', [{ path: '/bin/mkdir', args: ['renamed'] }], state))
  t.match(renamed.stderr, /^renamed: missing operand/)
})

/**
 * Run hooks from a plain node process. Under tap, @tapjs/processinfo intercepts every
 * spawn in the test process and adds its own variables to the child's environment, so
 * exact-environment checks run the module bundled, in a node started with an empty one.
 */
function runHooksInPlainNode(t: Test, dir: string, hooks: Hook[]): void {
  const bundle = path.join(dir, 'hooks.js')
  buildSync({ entryPoints: [path.join(__dirname, '../../src/hooks/run.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error' })
  const driver = `require(${JSON.stringify(bundle)}).runHooks('poststart', JSON.parse(process.argv[1]), JSON.parse(process.argv[2]))`
  const r = spawnSync('/usr/bin/env', ['-i', process.execPath, '-e', driver, JSON.stringify(hooks), JSON.stringify(state)], { encoding: 'utf8' })
  t.equal(r.status, 0, r.stderr)
}

t.test('the environment is exactly the hook env, nothing inherited', async t => {
  const dir = t.testdir()
  const rec = recorder(dir)
  t.ok(process.env.PATH, 'the test itself has a PATH to leak')
  const hooks = [
    { path: rec, args: ['record', 'given'], env: ['A=1', 'B=x=y', 'EMPTY='] },
    { path: rec, args: ['record', 'none'] },
    { path: rec, args: ['record', 'dup'], env: ['K=first', 'K=second'] },
  ]
  // PATH and HOME stand for the caller's environment, which must not leak into the hook.
  const savedHome = process.env.HOME
  process.env.HOME = '/root-of-the-runtime'
  try {
    runHooks('poststart', hooks, state)
  } finally {
    process.env.HOME = savedHome
  }
  t.notOk(environOf(dir, 'given').some(e => /^(HOME|PATH)=/.test(e)), 'in-process: no HOME, no PATH')
  t.notOk(environOf(dir, 'none').some(e => /^(HOME|PATH)=/.test(e)))

  fs.rmSync(path.join(dir, 'order'))
  runHooksInPlainNode(t, dir, hooks)
  t.same(orderIn(dir), ['given', 'none', 'dup'])
  t.same(environOf(dir, 'given'), ['A=1', 'B=x=y', 'EMPTY='])
  t.same(environOf(dir, 'none'), [], 'no env: an empty environment')
  t.same(environOf(dir, 'dup'), ['K=second'], 'a later duplicate wins')
})

t.test('the state document: key order, pid and annotations left out when empty', async t => {
  const shuffled = { bundle: '/b', annotations: {}, pid: 0, status: 'stopped', id: 'x', ociVersion: '1.0.2' }
  t.equal(hookStateJson(shuffled), '{"ociVersion":"1.0.2","id":"x","status":"stopped","bundle":"/b"}')
  t.equal(hookStateJson({ ...shuffled, pid: undefined, annotations: undefined }), '{"ociVersion":"1.0.2","id":"x","status":"stopped","bundle":"/b"}')
  t.equal(hookStateJson({ ...shuffled, pid: 7, annotations: { a: 'b' } }), '{"ociVersion":"1.0.2","id":"x","status":"stopped","pid":7,"bundle":"/b","annotations":{"a":"b"}}')

  const rec = { ociVersion: '1.3.0', id: 'c', bundle: '/bundle', annotations: { k: 'v' } }
  t.same(stateForHooks(rec, 'running', 99), { ociVersion: '1.3.0', id: 'c', status: 'running', pid: 99, bundle: '/bundle', annotations: { k: 'v' } })
  t.equal(hookStateJson(stateForHooks(rec, 'stopped')), '{"ociVersion":"1.3.0","id":"c","status":"stopped","bundle":"/bundle","annotations":{"k":"v"}}')
})

t.test('a hook that exits non-zero fails with its status and last stderr line; later hooks do not run', async t => {
  const dir = t.testdir()
  const rec = recorder(dir)
  const bad = script(dir, 'bad', 'echo "some output"\necho "first complaint" >&2\necho "the real reason  " >&2\necho >&2\nexit 3')
  const err = caught(() => runHooks('createRuntime', [
    { path: rec, args: ['record', 'before'] },
    { path: bad },
    { path: rec, args: ['record', 'after'] },
  ], state))
  t.equal(err.message, `createRuntime hook ${bad} failed: exit status 3: the real reason`)
  t.equal(err.status, 3)
  t.equal(err.phase, 'createRuntime')
  t.equal(err.path, bad)
  t.equal(err.id, 'ctr-1')
  t.equal(err.stdout, 'some output\n')
  t.equal(err.stderr, 'first complaint\nthe real reason  \n\n')
  t.ok(err instanceof HookError && err.exitCode === 1)
  t.same(orderIn(dir), ['before'])
})

t.test('the stderr in the message is one line of at most 200 characters; no stderr, no suffix', async t => {
  const dir = t.testdir()
  const long = script(dir, 'long', `printf '%0300d\\n' 0 >&2\nexit 1`)
  const err = caught(() => runHooks('poststart', [{ path: long }], state))
  t.equal(err.message, `poststart hook ${long} failed: exit status 1: ${'0'.repeat(200)}`)
  const quiet = script(dir, 'quiet', 'exit 2')
  t.equal(caught(() => runHooks('poststart', [{ path: quiet }], state)).message, `poststart hook ${quiet} failed: exit status 2`)
})

t.test('a hook killed by a signal', async t => {
  const dir = t.testdir()
  const seg = script(dir, 'seg', 'echo "about to crash" >&2\nkill -SEGV $$')
  const err = caught(() => runHooks('startContainer', [{ path: seg }], state))
  t.equal(err.message, `startContainer hook ${seg} failed: killed by signal SIGSEGV: about to crash`)
  t.equal(err.signal, 'SIGSEGV')
  t.equal(err.status, undefined)
})

t.test('a hook that overruns its timeout is killed and fails', async t => {
  const dir = t.testdir()
  const rec = recorder(dir)
  const slow = script(dir, 'slow', `echo $$ > ${dir}/slow.pid\nexec /bin/sleep 10`)
  const err = caught(() => runHooks('createContainer', [
    { path: slow, timeout: 1 },
    { path: rec, args: ['record', 'after'] },
  ], state))
  t.equal(err.message, `createContainer hook ${slow} timed out after 1s`)
  t.ok(err.timedOut)
  const pid = Number(read(dir, 'slow.pid'))
  t.ok(pid > 0)
  t.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the hook process is gone, not left running')
  t.same(orderIn(dir), [], 'the next hook did not run')
})

t.test('a hook that finishes within its timeout succeeds', async t => {
  const dir = t.testdir()
  const rec = recorder(dir)
  runHooks('poststart', [{ path: rec, args: ['record', 'quick'], timeout: 30 }], state)
  t.same(orderIn(dir), ['quick'])
})

t.test('a hook that cannot be executed fails naming the errno', async t => {
  const dir = t.testdir()
  const missing = path.join(dir, 'no-such-hook')
  const enoent = caught(() => runHooks('prestart', [{ path: missing }], state))
  t.equal(enoent.message, `prestart hook ${missing} failed: cannot execute: ENOENT`)
  t.equal(enoent.errno, 'ENOENT')

  const notExecutable = path.join(dir, 'plain-file')
  fs.writeFileSync(notExecutable, '#!/bin/sh\nexit 0\n', { mode: 0o644 })
  const eacces = caught(() => runHooks('prestart', [{ path: notExecutable }], state))
  t.equal(eacces.message, `prestart hook ${notExecutable} failed: cannot execute: EACCES`)
  t.equal(eacces.errno, 'EACCES')
})

t.test('a hook that ignores its stdin is not a failure, however large the state', async t => {
  const dir = t.testdir()
  const ignores = script(dir, 'ignores', 'exit 0')
  const big = { ...state, annotations: { big: 'x'.repeat(1024 * 1024) } }
  t.doesNotThrow(() => runHooks('poststart', [{ path: ignores }], big))
})

t.test('cwd: the given directory, else the caller\'s', async t => {
  const dir = t.testdir({ elsewhere: {} })
  const rec = recorder(dir)
  runHooks('createRuntime', [{ path: rec, args: ['record', 'in'] }], state, { cwd: path.join(dir, 'elsewhere') })
  runHooks('createRuntime', [{ path: rec, args: ['record', 'out'] }], state)
  t.equal(read(dir, 'in.cwd'), `${path.join(dir, 'elsewhere')}\n`)
  t.equal(read(dir, 'out.cwd'), `${process.cwd()}\n`)
})

t.test('no hooks, nothing happens', async t => {
  t.doesNotThrow(() => runHooks('prestart', undefined, state))
  t.doesNotThrow(() => runHooks('prestart', [], state))
  t.same(runHooksWarnOnly('poststop', undefined, state), [])
})

t.test('warn-only (poststop) runs every hook and returns one warning per failure', async t => {
  const dir = t.testdir()
  const rec = recorder(dir)
  const bad = script(dir, 'bad', 'echo "cleanup failed" >&2\nexit 5')
  const missing = path.join(dir, 'gone')
  const warnings = runHooksWarnOnly('poststop', [
    { path: rec, args: ['record', 'a'] },
    { path: bad },
    { path: rec, args: ['record', 'b'] },
    { path: missing },
    { path: rec, args: ['record', 'c'] },
  ], { ...state, status: 'stopped', pid: undefined })
  t.same(orderIn(dir), ['a', 'b', 'c'])
  t.same(warnings, [
    `poststop hook ${bad} failed: exit status 5: cleanup failed`,
    `poststop hook ${missing} failed: cannot execute: ENOENT`,
  ])
  t.same(JSON.parse(read(dir, 'c.stdin')), { ociVersion: '1.3.0', id: 'ctr-1', status: 'stopped', bundle: '/run/bundles/ctr-1', annotations: { 'org.example/key': 'value' } })
})
