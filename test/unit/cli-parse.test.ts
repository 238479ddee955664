import t from 'tap'
import { parse, normalizeArgv, versionText } from '../../src/cli/program'
import { parseWithCommander } from '../../src/cli/commander-parse'
import { quickParse } from '../../src/cli/quick-parse'
import { commandWord } from '../../src/cli/command-word'
import { UsageError } from '../../src/errors'

const call = (...argv: string[]) => {
  const c = parse(argv, () => {})
  if (c === null) throw new Error('no call')
  return c
}

t.test('global flags: every spelling runc accepts', async t => {
  t.equal(call('--root', '/x', 'state', 'a').globals.root, '/x')
  t.equal(call('--root=/y', 'state', 'a').globals.root, '/y')
  t.equal(call('-root', '/z', 'state', 'a').globals.root, '/z')
  t.equal(call('-root=/w', 'state', 'a').globals.root, '/w')
  t.equal(call('state', 'a').globals.root, '/run/runt')
  t.equal(call('state', 'a').globals.rootGiven, false)
  const g = call('--log', '/tmp/l.json', '--log-format', 'json', '--debug', '--systemd-cgroup', 'state', 'a').globals
  t.same([g.log, g.logFormat, g.debug, g.systemdCgroup], ['/tmp/l.json', 'json', true, true])
  t.equal(call('--rootless', 'true', 'state', 'a').globals.rootless, 'true')
  t.equal(call('--rootless=false', 'state', 'a').globals.rootless, 'false')
})

t.test('bad global values are usage errors', async t => {
  t.throws(() => call('--log-format', 'xml', 'state', 'a'), new UsageError('invalid log-format: xml'))
  t.throws(() => call('--rootless', 'maybe', 'state', 'a'), UsageError)
  t.throws(() => call('--bogus', 'state', 'a'), UsageError)
})

t.test('create/run flags: long, short, single-dash, =value, after the id', async t => {
  const a = call('create', '--bundle', '/b', '--pid-file', '/p', 'c1')
  t.same(a.args, ['c1'])
  t.same([a.opts.bundle, a.opts.pidFile], ['/b', '/p'])
  const b = call('create', 'c1', '-b', '/b2', '--pid-file=/p2', '--no-pivot', '--no-new-keyring', '--preserve-fds', '2')
  t.same([b.opts.bundle, b.opts.pidFile, b.opts.pivot, b.opts.newKeyring, b.opts.preserveFds], ['/b2', '/p2', false, false, '2'])
  const c = call('run', '-d', '-no-subreaper', '-bundle=/b3', 'c2')
  t.same([c.opts.detach, c.opts.subreaper, c.opts.bundle, c.args], [true, false, '/b3', ['c2']])
  const d = call('run', '--detach=true', '--keep=false', 'c3')
  t.same([d.opts.detach, d.opts.keep], [true, undefined])
  t.equal(call('create', 'c1').opts.bundle, '', 'bundle defaults to the current directory')
})

t.test('exec and ps: everything after the id belongs to the command', async t => {
  const e = call('exec', '--cwd', '/tmp', '-e', 'A=1', '--env=B=2', '-u', '1000:1000', 'c1', 'sh', '-c', 'echo --root')
  t.same(e.args, ['c1', 'sh', '-c', 'echo --root'])
  t.same([e.opts.cwd, e.opts.env, e.opts.user], ['/tmp', ['A=1', 'B=2'], '1000:1000'])
  const p = call('ps', '--format', 'json', 'c1', '-o', 'pid')
  t.same(p.args, ['c1', '-o', 'pid'])
  t.equal(p.opts.format, 'json')
})

t.test('kill and delete', async t => {
  const k = call('kill', '--all', 'c1', 'KILL')
  t.same([k.args, k.opts.all], [['c1', 'KILL'], true])
  t.same(call('kill', '-a', 'c1', '9').opts.all, true)
  t.same(call('kill', 'c1').args, ['c1'])
  t.equal(call('delete', '-f', 'c1').opts.force, true)
  t.equal(call('delete', 'c1', '--force').opts.force, true)
})

t.test('missing or extra arguments are usage errors', async t => {
  t.throws(() => call('start'), UsageError)
  t.throws(() => call('start', 'a', 'b'), UsageError)
  t.throws(() => call('frobnicate'), UsageError)
})

t.test('--version and --help print and make no call', async t => {
  let out = ''
  t.equal(parse(['--version'], s => { out += s }), null)
  t.match(out, /^runt version \S+\ncommit: \S+\nspec: 1\.3\.0\n$/)
  t.equal(versionText().split('\n')[2], 'spec: 1.3.0')
  for (const cmd of ['create', 'start', 'run', 'exec', 'kill', 'delete', 'state', 'list', 'ps', 'pause', 'resume', 'update', 'events', 'features', 'spec']) {
    out = ''
    t.equal(parse([cmd, '--help'], s => { out += s }), null)
    t.match(out, new RegExp(`^Usage: runt ${cmd}`), `${cmd} --help`)
  }
})

t.test('normalizeArgv leaves values alone', async t => {
  t.same(normalizeArgv(['--root', '-weird', 'state', 'x']), ['--root', '-weird', 'state', 'x'])
  t.same(normalizeArgv(['exec', '-u', '0', 'c', '-no-new-privs']), ['exec', '-u', '0', 'c', '-no-new-privs'])
})

t.test('the quick parser: what it takes, commander reads the same; the rest it leaves to commander', async t => {
  const taken = [
    ['state', 'a'],
    ['--root', '/r', 'state', 'a'],
    ['--root=/r', '--log', '/l', '--log-format=json', '--debug', '--systemd-cgroup', '--rootless', 'true', '--criu', 'x', 'start', 'a'],
    ['-root', '/r', 'kill', 'a'],
    ['kill', 'a', 'KILL'],
    ['kill', '--all', 'a', '9'],
    ['kill', '-a', 'a'],
    ['delete', 'a'],
    ['delete', '-f', 'a'],
    ['delete', 'a', '--force'],
    ['delete', '--force=true', 'a'],
    ['delete', '--force=false', 'a'],
    ['create', '--bundle', '/b', 'a'],
    ['create', '-b', '/b', '--pid-file=/p', '--console-socket', '/s', '--no-pivot', '--no-new-keyring', '--preserve-fds', '3', 'a'],
    ['create', 'a', '-bundle=/b', '-no-pivot'],
    ['create', '--bundle', '-odd', 'a'],
    ['create', '--bundle=', 'a'],
    ['create', 'a'],
    ['run', '-d', '--keep', '--no-subreaper', '-b', '/b', 'a'],
    ['run', '--detach=true', '--keep=false', 'a'],
    ['pause', 'a'], ['resume', 'a'],
    ['list'], ['list', '-q', '--format', 'json'],
    ['features'], ['spec', '--rootless', '-b', '/b'],
    ['events', '--stats', 'a'], ['events', '--interval', '1s', 'a'],
    ['update', '--memory', '100', '--pids-limit=5', '-r', '-', 'a'],
    ['state', ''],
  ]
  for (const argv of taken) {
    const normalized = normalizeArgv(argv)
    const quick = quickParse(normalized)
    t.ok(quick, `taken: ${argv.join(' ')}`)
    t.strictSame(quick, parseWithCommander(normalized, () => {}), `as commander reads it: ${argv.join(' ')}`)
  }
  const left = [
    [], ['--version'], ['-v'], ['--help'], ['state', '--help'], ['state', '-h'], ['help', 'state'],
    ['state'], ['state', 'a', 'b'], ['start'], ['kill', 'a', '-9'], ['kill', 'a', 'KILL', 'x'],
    ['frobnicate', 'a'], ['state', '--', 'a'], ['state', '-', 'a'], ['delete', '-fx', 'a'],
    ['--bogus', 'state', 'a'], ['state', '--root', '/r', 'a'], ['delete', '--force=maybe', 'a'],
    ['create', 'a', '--bundle'], ['create', '-b/b', 'a'], ['list', 'extra'],
    ['exec', 'a', 'true'], ['ps', 'a'],
  ]
  for (const argv of left) t.equal(quickParse(normalizeArgv(argv)), undefined, `left to commander: ${argv.join(' ') || '(nothing)'}`)
  t.throws(() => quickParse(normalizeArgv(['--log-format', 'xml', 'state', 'a'])), new UsageError('invalid log-format: xml'), 'global values are checked the same way')
})

t.test('commandWord: the first word after the global flags and their values', async t => {
  t.equal(commandWord(['state', 'a']), 'state')
  t.equal(commandWord(['--root', '/r', '--log=/l', '-log-format', 'json', '--debug', 'kill', 'a', '9']), 'kill')
  t.equal(commandWord(['--root', 'state', 'delete', 'a']), 'delete', 'a value that looks like a command is skipped')
  t.equal(commandWord(['--rootless', 'true', '--systemd-cgroup', 'start', 'a']), 'start')
  t.equal(commandWord(['--version']), undefined)
  t.equal(commandWord([]), undefined)
})
