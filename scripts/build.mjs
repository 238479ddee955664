// Build runt: precompile the config validators, bundle the TypeScript into one file,
// and write bin/runt with the absolute path of this node, so callers with a minimal
// PATH (containerd's BinaryName) still run the right interpreter.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
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

await build({
  entryPoints: [path.join(root, 'src', 'main.ts')],
  outfile: path.join(root, 'dist', 'runt.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  define: {
    RUNT_VERSION: JSON.stringify(pkg.version),
    RUNT_COMMIT: JSON.stringify(gitDescribe()),
  },
})

const bin = path.join(root, 'bin', 'runt')
fs.mkdirSync(path.dirname(bin), { recursive: true })
fs.writeFileSync(bin, `#!${process.execPath}\nrequire(require('path').join(__dirname, '..', 'dist', 'runt.js'))\n`, { mode: 0o755 })
fs.chmodSync(bin, 0o755)
