// Which of runc's four stdio modes a call asks for (runc's docs/terminals.md), and the
// combinations runc refuses:
//   detached-tty      the pty master goes to the caller over --console-socket;
//   foreground-tty    runt receives the master itself and relays its own stdio to it;
//   detached-pass     runt's 0/1/2 go to the process unchanged, runt returns at once;
//   foreground-pass   the same descriptors, and runt waits for the process.

import { UsageError } from '../errors'

export type StdioMode = 'detached-tty' | 'foreground-tty' | 'detached-pass' | 'foreground-pass'

export function stdioMode(terminal: boolean, consoleSocket: string | undefined, detached: boolean): StdioMode {
  if (consoleSocket && !terminal) {
    throw new UsageError('cannot use --console-socket if the process does not have a terminal (process.terminal is false; exec: no --tty)')
  }
  if (consoleSocket && !detached) {
    throw new UsageError('cannot use --console-socket in the foreground: runt relays the terminal itself (add --detach, or drop --console-socket)')
  }
  if (terminal && detached && !consoleSocket) {
    throw new UsageError('cannot allocate a terminal for a detached process without --console-socket')
  }
  if (terminal) return detached ? 'detached-tty' : 'foreground-tty'
  return detached ? 'detached-pass' : 'foreground-pass'
}

/** Refuse what runc refuses (create and run check their flags through this). */
export function checkTerminalMode(terminal: boolean, consoleSocket: string | undefined, detached: boolean): void {
  stdioMode(terminal, consoleSocket, detached)
}
