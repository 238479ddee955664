// Loading a CommonJS file together with V8's code cache for it, so a start-up skips most
// of the parse and compile. A cache file is one JSON header line saying what it was made
// from, then V8's cached data (scripts/code-cache.mjs writes it at build time). The
// caller decides from the header whether the cache belongs to the file; a cache that
// does not, or that this node rejects, only costs the compile it would have saved.
// Used by dist/runt.js (src/boot.ts) for the bundle, and by spec/validate.ts for
// schemas/validators.js.

import fs from 'node:fs'
import Module, { createRequire } from 'node:module'
import path from 'node:path'
import vm from 'node:vm'

export type CacheHeader = Record<string, unknown>

/** The cached data in cacheFile when accept() takes its header, else undefined. */
export function readCodeCache(cacheFile: string, accept: (header: CacheHeader) => boolean): Buffer | undefined {
  try {
    const data = fs.readFileSync(cacheFile)
    const newline = data.indexOf(10)
    const header = JSON.parse(data.subarray(0, newline).toString()) as CacheHeader
    return accept(header) ? data.subarray(newline + 1) : undefined
  } catch {
    return undefined
  }
}

/** What require(file) does (CommonJS wrapper, module.exports), compiled with cachedData when given. */
export function loadModule(file: string, source: string, cachedData: Buffer | undefined): unknown {
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData })
  const module = { exports: {} }
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void
  wrapper(module.exports, createRequire(file), module, file, path.dirname(file))
  return module.exports
}
