// Bundle test files (TypeScript, with tap and everything they import) into one plain
// ES module each, so a slow VM runs them with bare node: no TypeScript loader and no
// module graph to walk at start. Used by test/v2/run.sh.
//
//   node test/v2/bundle.mjs OUTDIR TAG file.test.ts...   prints the bundles' paths
//
// OUTDIR must be two levels below the repository (build/v2): the test helpers find the
// repository from __dirname, which in a bundle is the bundle's own directory.
import fs from 'node:fs'
import path from 'node:path'
import { build } from 'esbuild'

const [outDir, tag, ...files] = process.argv.slice(2)
if (!outDir || !tag || files.length === 0) {
  console.error('usage: node test/v2/bundle.mjs OUTDIR TAG file.test.ts...')
  process.exit(2)
}
fs.mkdirSync(outDir, { recursive: true })
// what CommonJS code (and the helpers) expect to find in an ES module
const banner = [
  "import { createRequire as __runtCreateRequire } from 'node:module'",
  "import { fileURLToPath as __runtFileURLToPath } from 'node:url'",
  "import __runtPath from 'node:path'",
  'const require = __runtCreateRequire(import.meta.url)',
  'const __filename = __runtFileURLToPath(import.meta.url)',
  'const __dirname = __runtPath.dirname(__filename)',
].join('; ')
// one build for all files: each bundle is whole (no shared chunks)
const entryPoints = Object.fromEntries(files.map(f => [`${tag}-${f.replace(/[/\\]/g, '_').replace(/\.ts$/, '')}`, f]))
await build({
  entryPoints,
  outdir: outDir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  banner: { js: banner },
  logLevel: 'warning',
})
for (const name of Object.keys(entryPoints)) console.log(path.resolve(outDir, `${name}.mjs`))
