// Logging, shaped like runc's (logrus): the global flags --log, --log-format and
// --debug choose where lines go, how they look and how much is said.
//
// Callers read these files. containerd decodes <bundle>/log.json object by object and
// keeps the last error; podman unmarshals the whole file as ONE object. So with
// --log-format json the file gets JSON objects only, one per line, and a failing
// command without --debug writes exactly one of them: its error.
//
// The failure itself always reaches stderr as one plain line (conmon relays stderr,
// people read it); with --log it is also written to the log file as an error entry.

import fs from 'node:fs'
import { RuntError, UsageError, systemError } from './errors'
import { rfc3339Local } from './state/time'
import { goJson, goQuote } from './state/go-text'
import { writeErr } from './sys/caller'

export type LogFormat = 'text' | 'json'
export type LogLevel = 'debug' | 'info' | 'warning' | 'error'
export type LogFields = Record<string, string | number | boolean>

export interface LogOptions {
  /** --log: file to append to; undefined means stderr */
  logPath?: string
  format: LogFormat
  debug: boolean
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warning: 2, error: 3 }

/** --log-format: `text` or `json`, anything else is a usage error (runc's message). */
export function parseLogFormat(value: string): LogFormat {
  if (value === 'text' || value === 'json') return value
  throw new UsageError(`invalid log-format: ${value}`)
}

export class Logger {
  private fd: number | null

  /** Opens --log (append, create, 0644) at once, as runc does, so a bad path fails early. */
  constructor(
    private readonly opts: LogOptions,
    private readonly stderr: (text: string) => void = writeErr,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.fd = opts.logPath === undefined ? null : openLogFile(opts.logPath)
  }

  debug(msg: string, fields?: LogFields): void { this.write('debug', msg, fields) }
  info(msg: string, fields?: LogFields): void { this.write('info', msg, fields) }
  warn(msg: string, fields?: LogFields): void { this.write('warning', msg, fields) }
  error(msg: string, fields?: LogFields): void { this.write('error', msg, fields) }

  /**
   * Report the error a command fails with: one plain line `<message>` on stderr, and,
   * when --log names a file, the same message as an error entry there (with the id,
   * path and errno a RuntError carries as extra fields).
   */
  fatal(err: unknown): void {
    const message = oneLine(err instanceof Error ? err.message : String(err))
    if (this.fd !== null) this.write('error', message, errorFacts(err))
    this.stderr(`${message}\n`)
  }

  /** Close the --log file (once: a second call does nothing). */
  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd)
    this.fd = null
  }

  private write(level: LogLevel, msg: string, fields: LogFields = {}): void {
    if (LEVEL_RANK[level] < LEVEL_RANK[this.opts.debug ? 'debug' : 'info']) return
    const line = formatLogLine(this.opts.format, level, msg, fields, this.clock())
    if (this.fd === null) this.stderr(line)
    else fs.writeSync(this.fd, line)
  }
}

/**
 * One log line with its newline. json: logrus' JSONFormatter, keys sorted as Go sorts
 * map keys; text: logrus' TextFormatter without colours, time, level and msg first,
 * then the fields sorted. A field named like a fixed key becomes "fields.<name>", as
 * logrus renames it.
 */
export function formatLogLine(format: LogFormat, level: LogLevel, msg: string, fields: LogFields, time: Date): string {
  const extra: LogFields = {}
  for (const [key, value] of Object.entries(fields)) {
    extra[key === 'level' || key === 'msg' || key === 'time' ? `fields.${key}` : key] = value
  }
  const fixed: [string, string][] = [['time', rfc3339Local(time)], ['level', level], ['msg', msg]]
  const sortedExtra = Object.keys(extra).sort().map((key): [string, string | number | boolean] => [key, extra[key]])
  if (format === 'json') {
    const all = [...fixed, ...sortedExtra].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${all.map(([key, value]) => `${goJson(key)}:${goJson(value)}`).join(',')}}\n`
  }
  return `${[...fixed, ...sortedExtra].map(([key, value]) => `${key}=${textValue(value)}`).join(' ')}\n`
}

/** logrus quotes a value unless it consists only of letters, digits and -._/@^+ */
function textValue(value: string | number | boolean): string {
  const text = String(value)
  return /^[A-Za-z0-9\-._/@^+]*$/.test(text) ? text : goQuote(text)
}

function openLogFile(file: string): number {
  try {
    return fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | fs.constants.O_SYNC, 0o644)
  } catch (err) {
    throw systemError('open log file', err, { path: file })
  }
}

function errorFacts(err: unknown): LogFields {
  const facts: LogFields = {}
  if (err instanceof RuntError) {
    if (err.id !== undefined) facts.id = err.id
    if (err.path !== undefined) facts.path = err.path
    if (err.errno !== undefined) facts.errno = err.errno
  }
  return facts
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ')
}

let current: Logger | undefined

/** Set up the process-wide logger from the global flags (call once, early). */
export function configureLogging(opts: LogOptions): Logger {
  current?.close()
  current = new Logger(opts)
  return current
}

/** Close the --log file and forget the logger (the planner, between two calls). */
export function closeLogging(): void {
  current?.close()
  current = undefined
}

/** The process-wide logger; before configureLogging, text lines to stderr without debug. */
export function log(): Logger {
  current ??= new Logger({ format: 'text', debug: false })
  return current
}
