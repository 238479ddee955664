// The error of a failed launch: which step of the executor failed, with the errno and
// the path it names, in one line a user can act on.

import os from 'node:os'
import { RuntError } from '../errors'
import { native } from '../sys/native'

const errnoNames = new Map<number, string>(Object.entries(os.constants.errno).map(([name, n]) => [n, name]))

export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `errno ${errno}`
}

/** "no such file or directory": the C library's text, lower-cased as Go prints it */
function errnoText(errno: number): string {
  const text = native().strerror(errno)
  return text.charAt(0).toLowerCase() + text.slice(1)
}

export class LaunchError extends RuntError {
  /** the executor's step, e.g. "mount", "pivot_root", "exec" */
  readonly step: string

  constructor(message: string, facts: { step: string; errno: string; path?: string }) {
    super(message, { errno: facts.errno, path: facts.path || undefined })
    this.step = facts.step
  }
}

/** The error the executor reported in an ERROR frame; arg0 is the process's args[0]. */
export function launchErrorFromFrame(errno: number, step: string, path: string, arg0: string): LaunchError {
  const name = errnoName(errno)
  const facts = { step, errno: name, path }
  if (step === 'exec') {
    // runc's texts, which podman and CRI-O classify (127 for not found, 126 for denied)
    if (errno === os.constants.errno.ENOENT && !arg0.includes('/')) {
      return new LaunchError(`exec: "${arg0}": executable file not found in $PATH`, facts)
    }
    return new LaunchError(`exec: "${arg0}": ${errnoText(errno)}`, facts)
  }
  return new LaunchError(`${step}${path ? ` ${path}` : ''}: ${errnoText(errno)} (${name})`, facts)
}
