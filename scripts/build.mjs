// Build runt: precompile the config validators, bundle the TypeScript into one file,
// and write bin/runt with the absolute path of this node, so callers with a minimal
// PATH (containerd's BinaryName) still run the right interpreter.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))

function gitDescribe() {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty', '--tags'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

const validators = path.join(root, 'scripts', 'build-validators.mjs')
if (fs.existsSync(validators)) execFileSync(process.execPath, [validators], { stdio: 'inherit' })

// Builtins most calls never use but whose loading costs milliseconds at every start
// (child_process drags in net, dgram and streams; crypto its whole tree): importers get
// a stand-in whose properties load the real module on first use.
const LAZY_BUILTINS = ['node:child_process', 'node:crypto']
const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_BUILTINS.map(n => n.replace(/^node:/, '')).join('|')})$|^(${LAZY_BUILTINS.join('|')})$`)
    b.onResolve({ filter }, args => args.namespace === 'lazy-builtin' ? { path: args.path, external: true } : { path: `node:${args.path.replace(/^node:/, '')}`, namespace: 'lazy-builtin' })
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, args => {
      const names = Object.keys(createRequire(import.meta.url)(args.path))
      const lines = names.map(n => `Object.defineProperty(exports, ${JSON.stringify(n)}, { enumerable: true, get: () => real()[${JSON.stringify(n)}] })`)
      return { loader: 'js', contents: `let mod\nconst real = () => (mod ??= require(${JSON.stringify(args.path)}))\n${lines.join('\n')}\n` }
    })
  },
}

const dist = path.join(root, 'dist')
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning' }
await build({
  ...common,
  entryPoints: [path.join(root, 'src', 'main.ts')],
  outfile: path.join(dist, 'runt.js'),
  plugins: [lazyBuiltins],
  define: {
    RUNT_VERSION: JSON.stringify(pkg.version),
    RUNT_COMMIT: JSON.stringify(gitDescribe()),
  },
})
// The loader bin/runt starts the bundle with (see src/sys/code-cache.ts).
await build({ ...common, entryPoints: [path.join(root, 'src', 'sys', 'code-cache.ts')], outfile: path.join(dist, 'code-cache.js') })

// V8's code cache for the bundle, taken by this same node after one cheap call (state of
// a container that does not exist) so the functions every call runs are compiled in it.
const warmRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-build-'))
execFileSync(process.execPath, ['-e', `
  const { compileForCache, runModule, saveCodeCache } = require(${JSON.stringify(path.join(dist, 'code-cache.js'))})
  const file = ${JSON.stringify(path.join(dist, 'runt.js'))}
  const script = compileForCache(file)
  process.argv = [process.execPath, file, '--root', ${JSON.stringify(warmRoot)}, 'state', 'runt-build-warm-up']
  process.on('exit', () => { saveCodeCache(file, script); process.exitCode = 0 })
  runModule(script, file)
`], { stdio: 'ignore' })
fs.rmSync(warmRoot, { recursive: true, force: true })

const bin = path.join(root, 'bin', 'runt')
fs.mkdirSync(path.dirname(bin), { recursive: true })
fs.writeFileSync(bin, `#!${process.execPath}
const path = require('path')
const dist = path.join(__dirname, '..', 'dist')
require(path.join(dist, 'code-cache.js')).requireWithCodeCache(path.join(dist, 'runt.js'))
`, { mode: 0o755 })
fs.chmodSync(bin, 0o755)
