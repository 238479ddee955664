import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { Logger, formatLogLine, parseLogFormat, type LogOptions } from '../../src/log'
import { ContainerIdError, UsageError } from '../../src/errors'

const when = new Date(Date.UTC(2026, 7, 22, 10, 0, 0))
const utc = when.getTimezoneOffset() === 0 // the exact time text depends on the local zone

/** A logger whose stderr is captured and whose clock is fixed. */
function logger(opts: LogOptions) {
  const stderr: string[] = []
  const log = new Logger(opts, text => { stderr.push(text) }, () => when)
  return { log, stderr }
}

t.test('json lines: exactly level, msg, time (then sorted fields), RFC3339 time', async t => {
  const line = formatLogLine('json', 'error', 'container "x" <failed>', {}, when)
  t.ok(line.endsWith('}\n') && !line.slice(0, -1).includes('\n'), 'one line')
  const obj = JSON.parse(line)
  t.same(Object.keys(obj), ['level', 'msg', 'time'])
  t.equal(obj.msg, 'container "x" <failed>')
  t.equal(Date.parse(obj.time), when.getTime())
  if (utc) t.equal(line, '{"level":"error","msg":"container \\"x\\" \\u003cfailed\\u003e","time":"2026-08-22T10:00:00Z"}\n')
  const withFields = JSON.parse(formatLogLine('json', 'warning', 'm', { path: '/p', id: 'c1', errno: 'ENOENT', zz: 1, msg: 'clash' }, when))
  t.same(Object.keys(withFields), ['errno', 'fields.msg', 'id', 'level', 'msg', 'path', 'time', 'zz'])
  t.equal(withFields['fields.msg'], 'clash', 'a field named like a fixed key is renamed, as logrus does')
})

t.test('text lines: logrus\' text format, quoting only what needs it', async t => {
  const line = formatLogLine('text', 'error', 'File config.json exists. Remove it first', { id: 'c1', path: '/a b' }, when)
  t.match(line, /^time="[^"]+" level=error msg="File config.json exists. Remove it first" id=c1 path="\/a b"\n$/)
  if (utc) t.equal(formatLogLine('text', 'warning', 'x', {}, when), 'time="2026-08-22T10:00:00Z" level=warning msg=x\n')
  t.equal(formatLogLine('text', 'info', 'two\nlines', {}, when).split('\n').length, 2, 'a newline in a message is escaped')
})

t.test('debug lines only with --debug; other levels always', async t => {
  const quiet = logger({ format: 'text', debug: false })
  quiet.log.debug('hidden')
  quiet.log.info('shown')
  quiet.log.warn('shown')
  t.same(quiet.stderr.map(l => / level=(\w+)/.exec(l)?.[1]), ['info', 'warning'])
  const loud = logger({ format: 'text', debug: true })
  loud.log.debug('seen')
  t.match(loud.stderr[0], / level=debug msg=seen\n$/)
})

t.test('a failure with --log json: the file holds exactly one error object, stderr one plain line', async t => {
  const file = path.join(t.testdir(), 'log.json')
  const { log, stderr } = logger({ logPath: file, format: 'json', debug: false })
  log.fatal(new ContainerIdError('container does not exist', { id: 'c1' }))
  log.close()
  const text = fs.readFileSync(file, 'utf8')
  const obj = JSON.parse(text) // podman reads the whole file as one object
  t.same(Object.keys(obj), ['id', 'level', 'msg', 'time'])
  t.same({ level: obj.level, msg: obj.msg, id: obj.id }, { level: 'error', msg: 'container does not exist', id: 'c1' })
  t.same(stderr, ['container does not exist\n'])
  t.equal(fs.statSync(file).mode & 0o777, 0o644 & ~process.umask())
})

t.test('--log appends to an existing file', async t => {
  const file = path.join(t.testdir({ 'log.json': '{"level":"info","msg":"before","time":"x"}\n' }), 'log.json')
  const { log } = logger({ logPath: file, format: 'json', debug: false })
  log.error('after')
  log.close()
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map(l => JSON.parse(l))
  t.same(lines.map(l => l.msg), ['before', 'after'])
})

t.test('a failure without --log: one plain line on stderr, nothing else', async t => {
  const { log, stderr } = logger({ format: 'json', debug: false })
  log.fatal(new Error('first problem\nsecond problem'))
  t.same(stderr, ['first problem; second problem\n'])
})

t.test('an unusable --log path fails with the path', async t => {
  const file = path.join(t.testdir(), 'missing-dir', 'log.json')
  t.throws(() => new Logger({ logPath: file, format: 'text', debug: false }), { message: `open log file: ENOENT (${file})` })
})

t.test('--log-format accepts text and json only', async t => {
  t.equal(parseLogFormat('text'), 'text')
  t.equal(parseLogFormat('json'), 'json')
  t.throws(() => parseLogFormat('xml'), { constructor: UsageError, message: /^invalid log-format: xml$/ })
})
