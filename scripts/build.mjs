// Build runt: precompile the config validators; bundle the TypeScript, each bundle with
// V8's code cache for it: one per simple command (dist/runt-state.js, ...) and one of
// every command (dist/runt-main.js), and the loader that runs them (dist/runt.js): the
// direct path; bundle the warm planner of the fast
// path (dist/planner.js); write the node scripts bin/runt-direct and bin/runt-planner; and
// install the native front-end (build/Release/runt-front, built by node-gyp) as bin/runt.
import { execFileSync, spawnSync } from 'node:child_process'
import crypto from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'))
const dist = path.join(root, 'dist')

function gitDescribe() {
  try {
    return execFileSync('git', ['describe', '--always', '--dirty', '--tags'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'unknown'
  }
}

/**
 * An esbuild plugin that gives importers of the named builtins a module of our own in
 * their place, whose text standIn(name, realModule) writes; inside it, require(name)
 * is the real builtin.
 */
function builtinStandIns(pluginName, builtins, standIn) {
  const namespace = pluginName
  return {
    name: pluginName,
    setup(b) {
      const filter = new RegExp(`^(node:)?(${builtins.join('|')})$`)
      b.onResolve({ filter }, args => (args.namespace === namespace
        ? { path: args.path, external: true }
        : { path: `node:${args.path.replace(/^node:/, '')}`, namespace }))
      b.onLoad({ filter: /.*/, namespace }, args => ({ loader: 'js', contents: standIn(args.path, createRequire(import.meta.url)(args.path)) }))
    },
  }
}

// Builtins most calls never use but whose loading costs milliseconds at every start
// (child_process drags in net, dgram and streams; crypto its whole tree): importers get
// a stand-in whose properties load the real module on first use.
const lazyBuiltins = builtinStandIns('lazy-builtins', ['child_process', 'crypto'], (name, real) => {
  const getters = Object.keys(real).map(n => `Object.defineProperty(exports, ${JSON.stringify(n)}, { enumerable: true, get: () => real()[${JSON.stringify(n)}] })`)
  return `let mod\nconst real = () => (mod ??= require(${JSON.stringify(name)}))\n${getters.join('\n')}\n`
})

// Builtins most modules use (fs, path, os, vm, module, tty): esbuild would give each importing module its
// own ES-module view of them (__toESM: ~100 properties copied per importer, ~30
// importers; ~5 ms of CPU in runt state). One shared module per builtin instead: the
// default export is the module itself, and each named import is one of its plain
// properties read once (getters, such as fs.promises, are left out: importing one by
// name fails the build).
// The plain properties are read in a fresh node: there the ones node defines lazily (fs.Dir,
// fs.opendir, the stream classes) are still getters, which this build process may have
// turned into values by touching them, and reading one at every start loads its module.
function plainExports(name) {
  const probe = `const d = Object.getOwnPropertyDescriptors(require(${JSON.stringify(name)})); console.log(JSON.stringify(Object.keys(d).filter(n => 'value' in d[n])))`
  return JSON.parse(execFileSync(process.execPath, ['-e', probe], { encoding: 'utf8' })).filter(n => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default')
}
const sharedBuiltins = builtinStandIns('shared-builtins', ['fs', 'path', 'os', 'vm', 'module', 'tty'], name => {
  const plain = plainExports(name)
  return `const mod = require(${JSON.stringify(name)})\nexport default mod\n${plain.map(n => `export const ${n} = mod.${n}`).join('\n')}\n`
})

// Whitespace and syntax minified (a third less to read and hold at every start, ~2.5 ms of
// CPU per call); identifiers are kept, so stack traces still name the functions.
const common = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'warning', minifyWhitespace: true, minifySyntax: true }

// The bundles dist/runt.js (src/boot.ts) chooses from: one per simple command, each
// with only that command's modules (src/lean.ts), and the whole one (src/main.ts) for
// everything else.
const LEAN_COMMANDS = ['start', 'state', 'kill', 'delete']
const BUNDLES = {
  ...Object.fromEntries(LEAN_COMMANDS.map(command => [`runt-${command}`, { entry: 'lean.ts', define: { RUNT_LEAN_COMMAND: JSON.stringify(command) } }])),
  'runt-main': { entry: 'main.ts', define: {} },
}

/** dist/<name>.js from src/<entry>; its sha256. Each module is loaded when its command runs. */
async function buildBundle(name, { entry, define }) {
  const file = path.join(dist, `${name}.js`)
  await build({
    ...common,
    entryPoints: [path.join(root, 'src', entry)],
    outfile: file,
    plugins: [lazyBuiltins, sharedBuiltins],
    define: {
      RUNT_VERSION: JSON.stringify(pkg.version),
      RUNT_COMMIT: JSON.stringify(gitDescribe()),
      ...define,
    },
  })
  const text = fs.readFileSync(file)
  // the loader reads it as latin1, a one-byte string made without decoding (utf8: ~2 ms a start)
  const wide = text.findIndex(byte => byte > 0x7f)
  if (wide >= 0) throw new Error(`${file}: a non-ASCII byte at offset ${wide}: write it as an escape in the source`)
  return crypto.createHash('sha256').update(text).digest('hex')
}

/**
 * V8's code cache for dist/<name>.js (dist/<name>.cache), made by this node after
 * running the calls of a container's life on stand-in containers
 * (scripts/bundle-cache.mjs), so the functions they run are compiled in it. Its messages
 * are not shown: a warm-up that went wrong costs only start-up time, so it is a warning.
 */
function buildCodeCache(name, bundleHash) {
  const warmUp = spawnSync(process.execPath, [path.join(root, 'scripts', 'bundle-cache.mjs'), path.join(dist, `${name}.js`), bundleHash], { stdio: 'ignore' })
  if (warmUp.status !== 0) process.stderr.write(`warning: the code cache warm-up of dist/${name}.js failed (exit ${warmUp.status}, see scripts/bundle-cache.mjs)\n`)
}

/** dist/runt.js: loads a bundle with its cache when the cache was made from it. */
async function buildLoader(bundleHashes) {
  await build({
    ...common,
    entryPoints: [path.join(root, 'src', 'boot.ts')],
    outfile: path.join(dist, 'runt.js'),
    define: { RUNT_BUNDLE_HASHES: JSON.stringify(bundleHashes), RUNT_LEAN_COMMANDS: JSON.stringify(LEAN_COMMANDS) },
  })
}

/** dist/planner.js: the planner loads every command at its start, so it needs no loader. */
async function buildPlanner() {
  await build({
    ...common,
    entryPoints: [path.join(root, 'src', 'planner', 'main.ts')],
    outfile: path.join(dist, 'planner.js'),
    define: {
      RUNT_VERSION: JSON.stringify(pkg.version),
      RUNT_COMMIT: JSON.stringify(gitDescribe()),
    },
  })
}

/** Write file anew by rename, so a copy that is running (ETXTBSY) or being read is never torn. */
function replaceFile(file, write) {
  const tmp = `${file}.tmp-${process.pid}`
  write(tmp)
  fs.chmodSync(tmp, 0o755)
  fs.renameSync(tmp, file)
}

/**
 * bin/<name>: the absolute path of this node in the shebang, so callers with a minimal
 * PATH (containerd's BinaryName) still run the right interpreter, then dist/<script>.
 * `option` is one node option for the shebang line (Linux passes a single one).
 */
function writeNodeScript(name, script, option) {
  replaceFile(path.join(root, 'bin', name), tmp =>
    fs.writeFileSync(tmp, `#!${process.execPath}${option ? ` ${option}` : ''}\nrequire(require('path').join(__dirname, '..', 'dist', '${script}'))\n`))
}

/** bin/runt: the front-end of the fast path, which execs bin/runt-direct when it must. */
function installFrontEnd() {
  const front = path.join(root, 'build', 'Release', 'runt-front')
  if (!fs.existsSync(front)) throw new Error(`${front} is missing: run npm run install (node-gyp) first`)
  replaceFile(path.join(root, 'bin', 'runt'), tmp => fs.copyFileSync(front, tmp))
}

const validators = path.join(root, 'scripts', 'build-validators.mjs')
if (fs.existsSync(validators)) execFileSync(process.execPath, [validators], { stdio: 'inherit' })
const bundleHashes = {}
for (const [name, source] of Object.entries(BUNDLES)) {
  bundleHashes[name] = await buildBundle(name, source)
  buildCodeCache(name, bundleHashes[name])
}
await buildLoader(bundleHashes)
await buildPlanner()
fs.mkdirSync(path.join(root, 'bin'), { recursive: true })
// one V8 worker thread, not four: a call of the direct path lives for milliseconds, and
// starting and joining the others costs each about a millisecond of CPU
writeNodeScript('runt-direct', 'runt.js', '--v8-pool-size=1')
writeNodeScript('runt-planner', 'planner.js')
installFrontEnd()
