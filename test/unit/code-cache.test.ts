// The bundle's code cache: the reader (src/sys/code-cache.ts) takes a cache only when
// its header is accepted, and the cache the build made for dist/runt-main.js is one
// this node takes and V8 does not reject.
import t from 'tap'
import fs from 'node:fs'
import Module from 'node:module'
import path from 'node:path'
import vm from 'node:vm'
import { loadModule, readCodeCache } from '../../src/sys/code-cache'

const REPO = path.resolve(__dirname, '..', '..')

t.test('a module loads with or without its cache; the header decides whether the cache is taken', async t => {
  const dir = t.testdir({ 'm.js': 'module.exports = { dir: __dirname, file: __filename, twice: x => 2 * x }\n' })
  const file = path.join(dir, 'm.js')
  const source = fs.readFileSync(file, 'utf8')
  const plain = loadModule(file, source, undefined) as { dir: string; file: string; twice: (x: number) => number }
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
  const cached = loadModule(file, source, data) as { twice: (x: number) => number }
  t.equal(cached.twice(4), 8, 'the module runs with its cache')
  const foreign = loadModule(file, source, Buffer.from('garbage')) as { twice: (x: number) => number }
  t.equal(foreign.twice(5), 10, 'a cache V8 rejects only costs the compile')
})

const bundle = path.join(REPO, 'dist', 'runt-main.js')
const cacheFile = path.join(REPO, 'dist', 'runt-main.cache')
t.test('the build made a cache for this bundle that this node accepts', { skip: !fs.existsSync(path.join(REPO, 'dist', 'runt.js')) && 'dist/ is not built' }, async t => {
  const loader = fs.readFileSync(path.join(REPO, 'dist', 'runt.js'), 'utf8')
  let header: Record<string, unknown> = {}
  const data = readCodeCache(cacheFile, h => { header = h; return true })
  t.ok(data, 'dist/runt-main.cache has a header and data')
  t.equal(header.node, process.version, 'made by this node version')
  t.ok(typeof header.bundle === 'string' && loader.includes(JSON.stringify(header.bundle)), 'keyed to the bundle hash the loader was built with')
  const script = new vm.Script(Module.wrap(fs.readFileSync(bundle, 'utf8')), { filename: bundle, cachedData: data })
  t.equal(script.cachedDataRejected, false, 'V8 takes it')
})
