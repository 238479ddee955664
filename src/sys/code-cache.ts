// Loading a CommonJS file together with V8's code cache for it, so a start-up skips most
// of the parse and compile. A cache file is one JSON header line saying what it was made
// from, then V8's cached data (scripts/code-cache.mjs writes it at build time). The
// caller decides from the header whether the cache belongs to the file; a cache that
// does not, or that this node rejects, only costs the compile it would have saved.
// Used by dist/runt.js (src/boot.ts) for the bundle, and by spec/validate.ts for
// schemas/validators.js.

// named imports only, so dist/runt.js (src/boot.ts) gets no ES-module copy of these builtins
import { readFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { Script } from 'node:vm'

export type CacheHeader = Record<string, unknown>

/** The cached data in cacheFile when accept() takes its header, else undefined. */
export function readCodeCache(cacheFile: string, accept: (header: CacheHeader) => boolean): Buffer | undefined {
  try {
    const data = readFileSync(cacheFile)
    const newline = data.indexOf(10)
    const header = JSON.parse(data.subarray(0, newline).toString()) as CacheHeader
    return accept(header) ? data.subarray(newline + 1) : undefined
  } catch {
    return undefined
  }
}

/**
 * Module.wrap(source), the text the build compiles its caches from (V8 takes a cache
 * only for a source of the same length), written out here: loading node:module costs
 * every start of dist/runt.js about half a millisecond.
 */
export function wrapCommonJs(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) { ${source}\n});`
}

/**
 * What require(file) does (CommonJS wrapper, module.exports), compiled with cachedData
 * when given; the module's require is `req`, which must resolve as one made for file would.
 */
export function loadModule(file: string, source: string, cachedData: Buffer | undefined, req: NodeJS.Require): unknown {
  const script = new Script(wrapCommonJs(source), { filename: file, cachedData })
  const module = { exports: {} }
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void
  wrapper(module.exports, req, module, file, dirname(file))
  return module.exports
}
