// What the escape tests (escapes-*.test.ts) share: a state root, a host directory the
// containers see at /out holding the attack helper (fixtures/escape-probe.c, built static),
// bundles on a writable rootfs copy, and hashes of the runtime's own files.
import fs from 'node:fs'
import path from 'node:path'
import crypto from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { containerSuite, makeBundle, tempDir, REPO, RUNT, ROOTFS } from './helpers'
import { runtAsync } from './stop-point'

export function escapeSuite(t: Parameters<typeof containerSuite>[0]) {
  const suite = containerSuite(t)
  if (!suite) return null
  const { root, runt } = suite
  const runtA = runtAsync(root)
  const cleanup: string[] = []
  t.teardown(() => { for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true }) })
  const temp = (prefix: string) => {
    const d = tempDir(prefix)
    cleanup.push(d)
    return d
  }
  const wait = async (what: () => boolean, ms = 30_000) => {
    for (let i = 0; i < ms / 10 && !what(); i++) await new Promise(r => setTimeout(r, 10))
    return what()
  }

  // a host directory the containers see at /out, holding the attack helper
  const out = temp('runt-escape-out-')
  fs.chmodSync(out, 0o755)
  const probe = path.join(out, 'escape-probe')
  const cc = spawnSync('gcc', ['-static', '-O', '-o', probe, path.join(__dirname, 'fixtures', 'escape-probe.c')], { encoding: 'utf8' })
  if (cc.status !== 0) throw new Error(`building the probe failed: ${cc.stderr}`)
  const withOut = (s: any) => s.mounts.push({ destination: '/out', type: 'bind', source: out, options: ['rbind', 'rw'] })
  const bundles = cleanup

  /** A bundle whose rootfs is a writable copy of the busybox one, changed by prepare. */
  const ownRootfs = (prepare: (rootfs: string) => void, edit: (s: any) => void = () => {}) => {
    const dir = temp('runt-escape-bundle-')
    const rootfs = path.join(dir, 'rootfs')
    const cp = spawnSync('cp', ['-a', ROOTFS, rootfs])
    if (cp.status !== 0) throw new Error('copying the rootfs failed')
    prepare(rootfs)
    const b = makeBundle(s => {
      s.root = { path: rootfs, readonly: false }
      edit(s)
    })
    bundles.push(b)
    return b
  }
  const noDevTmpfs = (s: any) => { s.mounts = s.mounts.filter((m: any) => m.destination !== '/dev') }

  /**
   * A private copy of the runtime's native files (build/Release) for the runt calls of one
   * test, made the project root through RUNT_PROJECT_ROOT_OVERRIDE until the test ends:
   * no other test's process runs this executor, so an attack on it is not stopped by
   * ETXTBSY from some unrelated container, and a successful one damages only the copy.
   * Returns the copied executor's path.
   */
  const privateRuntime = (t: { teardown(fn: () => void): void }) => {
    const dir = temp('runt-escape-runtime-')
    const release = path.join(dir, 'build', 'Release')
    fs.mkdirSync(release, { recursive: true })
    for (const f of ['runt-exec', 'runt.node']) fs.copyFileSync(path.join(REPO, 'build', 'Release', f), path.join(release, f))
    fs.chmodSync(path.join(release, 'runt-exec'), 0o755)
    fs.symlinkSync(path.join(REPO, 'schemas'), path.join(dir, 'schemas'))
    const old = process.env.RUNT_PROJECT_ROOT_OVERRIDE
    process.env.RUNT_PROJECT_ROOT_OVERRIDE = dir
    t.teardown(() => {
      if (old === undefined) delete process.env.RUNT_PROJECT_ROOT_OVERRIDE
      else process.env.RUNT_PROJECT_ROOT_OVERRIDE = old
    })
    return path.join(release, 'runt-exec')
  }

  const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
  // every file of dist/: the loader, each bundle and its code cache, the planner
  const dist = fs.readdirSync(path.join(REPO, 'dist')).map(f => path.join(REPO, 'dist', f))
  const runtimeFiles = [process.execPath, RUNT, ...dist, path.join(REPO, 'build', 'Release', 'runt-exec')]
  const hashes = () => Object.fromEntries(runtimeFiles.map(f => [f, sha(f)]))
  return { root, runt, runtA, temp, wait, out, probe, withOut, bundles, ownRootfs, noDevTmpfs, hashes, sha, privateRuntime }
}
