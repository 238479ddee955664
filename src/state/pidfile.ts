// --pid-file: the pid in decimal, no newline (containerd parses it with Atoi), written
// atomically via ".<name>" in the same directory, replacing any existing file (CRI-O
// and conmon pre-create it empty).

import path from 'node:path'
import { writeFileAtomic } from './atomic'

export function writePidFile(file: string, pid: number): void {
  writeFileAtomic(file, String(pid), { mode: 0o644, tempName: `.${path.basename(file)}` })
}
