// Which command a runt command line runs, read before anything is loaded: dist/runt.js
// (src/boot.ts) picks the bundle to load by it.

// runc's global flags that take a value as the next word (unless written --flag=value)
const VALUED_GLOBALS = new Set(['root', 'log', 'log-format', 'rootless', 'criu'])

/**
 * The first word that is neither a global flag nor its value: a hint, not a parse. A
 * wrong hint costs time, never meaning, as a simple command's bundle declines any line
 * it does not take whole (src/lean.ts).
 */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('-')) return argv[i]
    if (VALUED_GLOBALS.has(argv[i].replace(/^--?/, ''))) i++
  }
  return undefined
}
