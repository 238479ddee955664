// Replace a file so that readers see either the old content or the new, never a
// part: write a temporary file in the same directory, flush it, rename it over the
// target, then flush the directory so the rename itself survives a crash.

import fs from 'node:fs'
import path from 'node:path'
import { systemError } from '../errors'

export interface AtomicWriteOptions {
  mode?: number
  /** name of the temporary file in the target's directory (default: .<name>.tmp) */
  tempName?: string
}

export function writeFileAtomic(file: string, data: string, opts: AtomicWriteOptions = {}): void {
  const dir = path.dirname(file)
  const temp = path.join(dir, opts.tempName ?? `.${path.basename(file)}.tmp`)
  try {
    fs.rmSync(temp, { force: true }) // a leftover of an interrupted write (never followed if a symlink)
    const fd = fs.openSync(temp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, opts.mode ?? 0o644)
    try {
      fs.writeSync(fd, data)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(temp, file)
  } catch (err) {
    fs.rmSync(temp, { force: true })
    throw systemError(`write ${file}`, err, { path: file })
  }
  syncDir(dir)
}

function syncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY)
    fs.fsyncSync(fd)
  } catch {
    // the rename is done; a filesystem that cannot fsync a directory only loses durability
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}
