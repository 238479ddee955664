// Removing files and directory trees the runtime made (exec fifos, sockets, state
// directories) with the fewest node calls: every fs function a short-lived call uses for
// the first time costs it (fs.rmSync's option checks and its recursive remover, which
// node loads at its first use, cost a simple command about half a millisecond).

import fs from 'node:fs'
import path from 'node:path'

const code = (err: unknown) => (err as NodeJS.ErrnoException).code

/** unlink(2); a file already gone is not an error. Never follows a symlink. */
export function removeFile(file: string): void {
  try {
    fs.unlinkSync(file)
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err
  }
}

/** Remove dir and everything in it (symlinks themselves, never their targets); a tree already gone is not an error. */
export function removeTree(dir: string): void {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch (err) {
    if (code(err) === 'ENOENT') return
    throw err
  }
  for (const name of names) {
    const entry = path.join(dir, name)
    try {
      fs.unlinkSync(entry)
    } catch (err) {
      if (code(err) === 'EISDIR') removeTree(entry)
      else if (code(err) !== 'ENOENT') throw err
    }
  }
  try {
    fs.rmdirSync(dir)
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err
  }
}
