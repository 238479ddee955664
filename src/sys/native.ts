// Typed surface of the native addon (build/Release/runt.node). Loaded on first use,
// so commands that need no system call beyond Node's own never pay for it.

import path from 'node:path'

export interface NativeAddon {
  /** flock(2): true when taken; false when `wait` is false and the lock is held elsewhere */
  flock(fd: number, exclusive: boolean, wait: boolean): boolean
  /** mkfifo(3) */
  mkfifo(path: string, mode: number): void
}

let addon: NativeAddon | undefined

/** Directory holding runt.node and runt-exec. */
export function nativeBuildDir(): string {
  // dist/runt.js and src/sys/native.ts both sit two levels below the project root
  // (dist/ is one level, but the bundle defines RUNT_ROOT), see scripts/build.mjs.
  return path.join(projectRoot(), 'build', 'Release')
}

export function projectRoot(): string {
  const fromBundle = process.env.RUNT_PROJECT_ROOT_OVERRIDE
  if (fromBundle) return fromBundle
  // __dirname is <root>/dist in the bundle and <root>/src/sys in the sources
  return path.basename(__dirname) === 'dist' ? path.dirname(__dirname) : path.resolve(__dirname, '..', '..')
}

export function native(): NativeAddon {
  if (addon === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    addon = require(path.join(nativeBuildDir(), 'runt.node')) as NativeAddon
  }
  return addon
}
