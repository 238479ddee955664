// dist/runt.js: runs the bundle (dist/runt-main.js) with V8's code cache the build made
// for it (dist/runt-main.cache), when that cache was made from this very bundle by this
// node version; otherwise the bundle is compiled from source as require() would.
// Built by scripts/build.mjs, which defines RUNT_BUNDLE_HASH as the bundle's sha256.

import fs from 'node:fs'
import path from 'node:path'
import { loadModule, readCodeCache } from './sys/code-cache'

declare const RUNT_BUNDLE_HASH: string

const bundle = path.join(__dirname, 'runt-main.js')
const cache = readCodeCache(path.join(__dirname, 'runt-main.cache'), h => h.bundle === RUNT_BUNDLE_HASH && h.node === process.version)
loadModule(bundle, fs.readFileSync(bundle, 'utf8'), cache)
