// The bundle's code cache: the reader (src/sys/code-cache.ts) takes a cache only when
// its header is accepted, and the cache the build made for dist/runt-main.js is one
// this node takes and V8 does not reject.
import t from 'tap'
import fs from 'node:fs'
import Module from 'node:module'
import path from 'node:path'
import vm from 'node:vm'
import { createRequire } from 'node:module'
import { loadModule, readCodeCache, wrapCommonJs } from '../../src/sys/code-cache'

const REPO = path.resolve(__dirname, '..', '..')

t.test('the loader wraps a module exactly as Module.wrap, which the build compiles its caches from', async t => {
  for (const source of ['', 'module.exports = 1', 'x\n// last line']) t.equal(wrapCommonJs(source), Module.wrap(source))
})

t.test('a module loads with or without its cache; the header decides whether the cache is taken', async t => {
  const dir = t.testdir({ 'm.js': 'module.exports = { dir: __dirname, file: __filename, twice: x => 2 * x }\n' })
  const file = path.join(dir, 'm.js')
  const source = fs.readFileSync(file, 'utf8')
  const plain = loadModule(file, source, undefined, createRequire(file)) as { dir: string; file: string; twice: (x: number) => number }
  t.same([plain.dir, plain.file, plain.twice(21)], [dir, file, 42], 'CommonJS wrapper arguments as require() gives them')

  const { compileModule, writeCodeCache } = await import('../../scripts/code-cache.mjs')
  const { script, run } = compileModule(file)
  run()
  const cacheFile = path.join(dir, 'm.cache')
  writeCodeCache(cacheFile, { made: 'here' }, script)
  const data = readCodeCache(cacheFile, h => h.made === 'here')
  t.ok(data && data.length > 0, 'an accepted header gives the cached data')
  t.equal(readCodeCache(cacheFile, h => h.made === 'elsewhere'), undefined, 'a refused header gives nothing')
  t.equal(readCodeCache(path.join(dir, 'missing.cache'), () => true), undefined, 'no cache file: nothing')
  fs.writeFileSync(path.join(dir, 'bad.cache'), 'not json\nxx')
  t.equal(readCodeCache(path.join(dir, 'bad.cache'), () => true), undefined, 'a corrupt header: nothing')
  const cached = loadModule(file, source, data, createRequire(file)) as { twice: (x: number) => number }
  t.equal(cached.twice(4), 8, 'the module runs with its cache')
  const foreign = loadModule(file, source, Buffer.from('garbage'), createRequire(file)) as { twice: (x: number) => number }
  t.equal(foreign.twice(5), 10, 'a cache V8 rejects only costs the compile')
})

const DIST = path.join(REPO, 'dist')
const built = fs.existsSync(path.join(DIST, 'runt.js'))
// the bundles the loader was built to load, by the hashes it holds ("runt-state":"<sha256>")
const bundleNames = () => [...fs.readFileSync(path.join(DIST, 'runt.js'), 'utf8').matchAll(/"(runt-[a-z]+)":"[0-9a-f]{64}"/g)].map(m => m[1])
t.test('the build made a cache for each bundle that this node accepts', { skip: !built && 'dist/ is not built' }, async t => {
  const loader = fs.readFileSync(path.join(DIST, 'runt.js'), 'utf8')
  const names = bundleNames()
  t.same([...names].sort(), ['runt-delete', 'runt-kill', 'runt-main', 'runt-start', 'runt-state'], 'the whole bundle and one per simple command')
  for (const name of names) {
    const bundle = path.join(DIST, `${name}.js`)
    let header: Record<string, unknown> = {}
    const data = readCodeCache(path.join(DIST, `${name}.cache`), h => { header = h; return true })
    t.ok(data, `dist/${name}.cache has a header and data`)
    t.equal(header.node, process.version, `${name}: made by this node version`)
    t.ok(typeof header.bundle === 'string' && loader.includes(`"${name}":${JSON.stringify(header.bundle)}`), `${name}: keyed to the bundle hash the loader was built with`)
    const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData: data })
    t.equal(script.cachedDataRejected, false, `${name}: V8 takes it`)
  }
})

t.test("a simple command's bundle takes only its own command's lines, and leaves the rest (and commander) to the whole bundle", { skip: !built && 'dist/ is not built' }, async t => {
  const lean = createRequire(__filename)(path.join(DIST, 'runt-state.js')) as { runLean(argv: string[]): boolean }
  for (const argv of [['kill', 'a'], ['delete', 'a'], ['create', 'a'], ['state'], ['state', '--help'], ['state', 'a', 'b'], ['--version'], ['--log-format', 'xml', 'state', 'a']]) {
    t.equal(lean.runLean(argv), false, `declined: ${argv.join(' ')}`)
  }
  t.equal(process.exitCode, undefined, 'and did nothing')
  for (const name of bundleNames().filter(n => n !== 'runt-main')) t.notOk(fs.readFileSync(path.join(DIST, `${name}.js`), 'utf8').includes('node_modules/commander'), `${name} holds no commander`)
  t.ok(fs.readFileSync(path.join(DIST, 'runt-main.js'), 'utf8').includes('node_modules/commander'), 'the whole bundle does')
})
