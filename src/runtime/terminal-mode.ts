// Which of runc's four stdio modes a call asks for, and the combinations runc refuses
// (runc's docs/terminals.md). A detached terminal goes over --console-socket; a
// detached pass-through hands our 0/1/2 to the container unchanged.

import { UsageError } from '../errors'

export function checkTerminalMode(terminal: boolean, consoleSocket: string | undefined, detached: boolean): void {
  if (consoleSocket && !terminal) {
    throw new UsageError('cannot use --console-socket if the process does not have a terminal (process.terminal is false)')
  }
  if (terminal && detached && !consoleSocket) {
    throw new UsageError('cannot allocate a terminal for a detached container without --console-socket')
  }
  if (terminal && !detached && !consoleSocket) {
    throw new UsageError('a foreground terminal (process.terminal with run in the foreground) is not supported yet: use --detach with --console-socket, or set process.terminal to false')
  }
}
