// Writing V8 code caches at build time, in the format src/sys/code-cache.ts reads: one
// JSON header line saying what the cache was made from, then V8's cached data. Compile
// the module as the loader will (vm.Script over Module.wrap, so V8 sees the same source),
// run what start-ups run so those functions are compiled too, then save.
import fs from 'node:fs'
import Module, { createRequire } from 'node:module'
import path from 'node:path'
import vm from 'node:vm'

/** Compile file as a CommonJS module; run() calls its wrapper and returns module.exports. */
export function compileModule(file) {
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file })
  const wrapper = script.runInThisContext()
  const run = () => {
    const mod = { exports: {} }
    wrapper(mod.exports, createRequire(file), mod, file, path.dirname(file))
    return mod.exports
  }
  return { script, run }
}

/** Write script's code cache under header, atomically (a reader never sees half a file). */
export function writeCodeCache(cacheFile, header, script) {
  const tmp = `${cacheFile}.${process.pid}.tmp`
  fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), script.createCachedData()]))
  fs.renameSync(tmp, cacheFile)
}
