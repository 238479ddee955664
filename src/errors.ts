// Typed errors. Every failure that reaches the user is one of these: a one-line
// message, plus the container id, the path and the errno where they are known, so
// the CLI can print one clear line and the JSON log can carry the same facts.

export interface ErrorFacts {
  id?: string
  path?: string
  errno?: string // symbolic errno, e.g. "ENOENT"
  cause?: unknown
}

export class RuntError extends Error {
  readonly id?: string
  readonly path?: string
  readonly errno?: string
  /** process exit status the CLI should use */
  exitCode = 1

  constructor(message: string, facts: ErrorFacts = {}) {
    super(message, facts.cause === undefined ? undefined : { cause: facts.cause })
    this.name = new.target.name
    this.id = facts.id
    this.path = facts.path
    this.errno = facts.errno
  }
}

/** a hostile config can have thousands of problems, or one deep inside a huge pointer */
const MAX_PROBLEMS_SHOWN = 20
const MAX_PROBLEM_CHARS = 400

/** The message of a ConfigError: the first problems, each cut to a readable length. */
export function problemsMessage(problems: readonly string[]): string {
  const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map(p => (p.length > MAX_PROBLEM_CHARS ? `${p.slice(0, MAX_PROBLEM_CHARS - 1)}…` : p))
  const more = problems.length - shown.length
  return more > 0 ? `${shown.join('; ')}; and ${more} more problem${more === 1 ? '' : 's'}` : shown.join('; ')
}

/** config.json (or process.json) does not satisfy the spec; one line per problem */
export class ConfigError extends RuntError {
  readonly problems: readonly string[]
  constructor(problems: readonly string[], facts: ErrorFacts = {}) {
    super(problemsMessage(problems), facts)
    this.problems = problems
  }
}

/** the command line itself is wrong (unknown flag, missing argument, bad value) */
export class UsageError extends RuntError {}

/** the container id is unknown, malformed, or already taken */
export class ContainerIdError extends RuntError {}

/** the requested operation is not allowed in the container's current status */
export class StatusError extends RuntError {}

/** a system call failed; message already names the operation */
export class SystemError extends RuntError {}

/** Wrap a Node fs/system error (which carries .code and .path) into a SystemError. */
export function systemError(what: string, err: unknown, facts: ErrorFacts = {}): SystemError {
  const e = err as NodeJS.ErrnoException
  const errno = typeof e?.code === 'string' ? e.code : undefined
  const path = facts.path ?? (typeof e?.path === 'string' ? e.path : undefined)
  const detail = errno ? `${errno}${path ? ` (${path})` : ''}` : String(e?.message ?? err)
  return new SystemError(`${what}: ${detail}`, { ...facts, path, errno, cause: err })
}
