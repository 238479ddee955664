// Replace a file so that readers see either the old content or the new, never a
// part: write a temporary file in the same directory and rename it over the target.
// Nothing is fsynced, as runc does not: these files (state, pid files) describe
// processes that a crash of the machine ends anyway, and the state root is normally on
// tmpfs (/run), where a flush is a no-op; on a disk it would cost milliseconds per call.

import fs from 'node:fs'
import path from 'node:path'
import { systemError } from '../errors'
import { removeFile } from '../sys/files'

export interface AtomicWriteOptions {
  mode?: number
  /** name of the temporary file in the target's directory (default: .<name>.tmp) */
  tempName?: string
}

export function writeFileAtomic(file: string, data: string, opts: AtomicWriteOptions = {}): void {
  const dir = path.dirname(file)
  const temp = path.join(dir, opts.tempName ?? `.${path.basename(file)}.tmp`)
  try {
    removeFile(temp) // a leftover of an interrupted write (never followed if a symlink)
    const fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, opts.mode ?? 0o644)
    try {
      fs.writeSync(fd, data)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(temp, file)
  } catch (err) {
    removeFile(temp)
    throw systemError(`write ${file}`, err, { path: file })
  }
}
