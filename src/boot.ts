// dist/runt.js, what bin/runt-direct runs: loads one of the bundles, each with the V8
// code cache the build made for it, when that cache was made from this very bundle by
// this node version (otherwise the bundle is compiled from source as require() would).
//   dist/runt-<command>.js (src/lean.ts): start, state, kill and delete, each alone,
//     tried first for its command;
//   dist/runt-main.js (src/main.ts): every command, for everything else.
// V8 reads and deserializes a whole cache, and on this kind of VM each new page of
// memory costs about 11 us: the simple commands' start-up is mostly what they load.
// Built by scripts/build.mjs, which defines RUNT_BUNDLE_HASHES (each bundle's sha256)
// and RUNT_LEAN_COMMANDS.

// named imports only: esbuild then gives no ES-module copy of the builtins (see build.mjs)
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { commandWord } from './cli/command-word'
import { loadModule, readCodeCache } from './sys/code-cache'

declare const RUNT_BUNDLE_HASHES: Record<string, string>
declare const RUNT_LEAN_COMMANDS: string[]

/** module.exports of dist/<name>.js, compiled with dist/<name>.cache when it fits. */
function loadBundle(name: string): unknown {
  const file = join(__dirname, `${name}.js`)
  const cache = readCodeCache(join(__dirname, `${name}.cache`), h => h.bundle === RUNT_BUNDLE_HASHES[name] && h.node === process.version)
  // the build made each bundle pure ASCII: latin1 reads it without decoding; the bundles
  // sit beside this loader, so its own require resolves for them as theirs would
  return loadModule(file, readFileSync(file, 'latin1'), cache, require)
}

function main(argv: string[]): void {
  const command = commandWord(argv)
  if (command !== undefined && RUNT_LEAN_COMMANDS.includes(command)) {
    const lean = loadBundle(`runt-${command}`) as { runLean(argv: string[]): boolean }
    if (lean.runLean(argv)) return
  }
  loadBundle('runt-main')
}

main(process.argv.slice(2))
