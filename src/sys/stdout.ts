// Writing a command's output without process.stdout: that stream's first use loads
// Node's stream modules (and net for a pipe), milliseconds at every start, for a few
// bytes. The write is synchronous, whole and in order (caller.ts waits out a full
// non-blocking pipe). In the planner the output goes to the stdout of the front-end it
// serves.

import { remoteStdout, writeAll } from './caller'

export function writeStdout(text: string): void {
  writeAll(remoteStdout() ?? 1, text)
}
