// Writing a command's output to fd 1 without process.stdout: that stream's first use
// loads Node's stream modules (and net for a pipe), milliseconds at every start, for a
// few bytes. The write is synchronous, whole and in order; should fd 1 be a
// non-blocking pipe that is full, the rest goes through process.stdout after all.
// In the planner the output goes to the stdout of the front-end it serves.

import fs from 'node:fs'
import { remoteStdout, writeAll } from './caller'

export function writeStdout(text: string): void {
  const remote = remoteStdout()
  if (remote !== null) return writeAll(remote, text)
  const bytes = Buffer.from(text)
  let done = 0
  while (done < bytes.length) {
    try {
      done += fs.writeSync(1, bytes, done)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err
      process.stdout.write(bytes.subarray(done))
      return
    }
  }
}
