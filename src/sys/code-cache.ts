// Loading a CommonJS file together with V8's code cache for it, so start-up skips most of
// the parse and compile. The cache lives beside the file (<name>.cache): one JSON header
// line naming the source it was made from (size, mtime), then V8's cached data. A cache
// that does not match its source, or that this node rejects, only costs the compile.
// Used by bin/runt for dist/runt.js and by spec/validate.ts for schemas/validators.js;
// the build writes the caches through compileForCache and saveCodeCache.

import fs from 'node:fs'
import Module, { createRequire } from 'node:module'
import path from 'node:path'
import vm from 'node:vm'

interface CacheHeader {
  size: number
  mtimeMs: number
}

export function cacheFileOf(file: string): string {
  return file.replace(/\.js$/, '') + '.cache'
}

/** The cached data for file when its cache was made from this very file, else undefined. */
export function readCodeCache(file: string): Buffer | undefined {
  try {
    const data = fs.readFileSync(cacheFileOf(file))
    const newline = data.indexOf(10)
    const header = JSON.parse(data.subarray(0, newline).toString()) as CacheHeader
    const { size, mtimeMs } = fs.statSync(file)
    return header.size === size && header.mtimeMs === mtimeMs ? data.subarray(newline + 1) : undefined
  } catch {
    return undefined
  }
}

/** Compile file as require() would wrap it, taking cachedData when given. */
export function compileForCache(file: string, cachedData?: Buffer): vm.Script {
  return new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData })
}

/** Run a compiled module wrapper with the usual CommonJS arguments; its module.exports. */
export function runModule(script: vm.Script, file: string): unknown {
  const module = { exports: {} }
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void
  wrapper(module.exports, createRequire(file), module, file, path.dirname(file))
  return module.exports
}

/** Write script's code cache (take it after running, so lazily compiled functions are in). */
export function saveCodeCache(file: string, script: vm.Script): void {
  const { size, mtimeMs } = fs.statSync(file)
  const header: CacheHeader = { size, mtimeMs }
  fs.writeFileSync(cacheFileOf(file), Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), script.createCachedData()]))
}

/** require(file), but through its code cache when a matching one exists. */
export function requireWithCodeCache(file: string): unknown {
  const cachedData = readCodeCache(file)
  if (cachedData === undefined) return createRequire(file)(file)
  return runModule(compileForCache(file, cachedData), file)
}
