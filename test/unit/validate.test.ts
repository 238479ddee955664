import t from 'tap'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ConfigError } from '../../src/errors'
import { checkConfig, checkProcess, loadConfig, loadProcess, loadValidators, schemaValidators } from '../../src/spec/validate'
import { schemaProblems } from '../../src/spec/schema-errors'
import { problemLine } from '../../src/spec/problem'

const root = path.resolve(__dirname, '..', '..')
const fixtures = path.join(root, 'test', 'fixtures', 'oci-schema')
// validators.js is a build output; build it when a fresh checkout runs the tests first
if (!fs.existsSync(path.join(root, 'schemas', 'validators.js'))) {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-validators.mjs')])
}

const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, 'utf8'))
const fixtureNames = (kind: string, verdict: string) => fs.readdirSync(path.join(fixtures, kind, verdict)).sort()

/** A valid config for Linux that runt could start; tests break one thing at a time (hence `any`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const base = (): any => ({
  ociVersion: '1.3.0',
  root: { path: 'rootfs' },
  process: {
    cwd: '/',
    args: ['sh'],
    user: { uid: 0, gid: 0 },
    capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] },
    rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }],
  },
  mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
  hooks: { poststop: [{ path: '/bin/true' }] },
  linux: {
    namespaces: [{ type: 'pid' }, { type: 'mount' }],
    maskedPaths: ['/proc/kcore'],
    readonlyPaths: ['/proc/sys'],
    devices: [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229 }],
    sysctl: { 'net.ipv4.ip_forward': '1' },
  },
})
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Config = any

/** The problem lines of `base()` after `edit`, for a container about to start. */
function problemsAfter(edit: (c: Config) => void, willStart = true): string[] {
  const config = base() as Config
  edit(config)
  return checkConfig(config, { willStart })
}

function tempBundle(t: { teardown(fn: () => void): void }, configText?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-validate-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  if (configText !== undefined) fs.writeFileSync(path.join(dir, 'config.json'), configText)
  return dir
}

t.test('the base config of these tests is valid', async (t) => {
  t.same(checkConfig(base(), { willStart: true }), [])
})

t.test('every good config fixture of the spec passes', async (t) => {
  const names = fixtureNames('config', 'good')
  t.ok(names.length >= 9, 'the fixtures are vendored')
  for (const name of names) {
    t.same(checkConfig(readJson(path.join(fixtures, 'config', 'good', name)), { willStart: false }), [], name)
  }
})

t.test('every bad config fixture is rejected with a line naming the field', async (t) => {
  const expected: Record<string, string> = {
    'freebsd-vnet-disable.json': '/freebsd/jail/vnet: "disable" is not a sharing mode (allowed: new, inherit)',
    'linux-hugepage.json': '/linux/resources/hugepageLimits/0/pageSize: "64kB" does not have the required form (must be a size like 64KB, 2MB or 1GB)',
    'linux-netdevice.json': '/linux/netDevices/eth0/name: 23 is an integer (must be a string)',
    'linux-rdma.json': '/linux/resources/rdma/mlx5_1/hcaHandles: "not a uint32" is a string (must be an integer)',
    'invalid-json.json': "config.json: invalid JSON: Expected property name or '}' at line 1, column 2",
  }
  t.same(fixtureNames('config', 'bad'), Object.keys(expected).sort(), 'every bad fixture has an expectation')
  for (const [name, line] of Object.entries(expected)) {
    const bundle = tempBundle(t, fs.readFileSync(path.join(fixtures, 'config', 'bad', name), 'utf8'))
    t.throws(() => loadConfig(bundle, { willStart: false }), { name: 'ConfigError', problems: [line] }, name)
  }
})

t.test('features and state fixtures against their validators', async (t) => {
  const { features, state } = schemaValidators()
  for (const name of fixtureNames('features', 'good')) t.equal(features(readJson(path.join(fixtures, 'features', 'good', name))), true, name)
  for (const name of fixtureNames('state', 'good')) t.equal(state(readJson(path.join(fixtures, 'state', 'good', name))), true, name)

  t.same(fixtureNames('features', 'bad'), ['missing-ociVersionMax.json'])
  const missing = readJson(path.join(fixtures, 'features', 'bad', 'missing-ociVersionMax.json'))
  t.equal(features(missing), false)
  t.same(schemaProblems(features.errors ?? [], missing).map(problemLine), ['/ociVersionMax: required property is missing'])

  t.same(fixtureNames('state', 'bad'), ['invalid-json.json'])
  t.throws(() => readJson(path.join(fixtures, 'state', 'bad', 'invalid-json.json')), SyntaxError)
})

t.test('schema errors become one line per problem', async (t) => {
  t.same(problemsAfter((c) => delete c.ociVersion), ['/ociVersion: required property is missing'])
  t.same(problemsAfter((c) => (c.process.user.uid = -1)), ['/process/user/uid: -1 is below the minimum (must be >= 0)'])
  t.same(problemsAfter((c) => (c.process.user.gid = 4294967296)), ['/process/user/gid: 4294967296 is above the maximum (must be <= 4294967295)'])
  t.same(problemsAfter((c) => (c.process.rlimits[0].hard = -1)), ['/process/rlimits/0/hard: -1 is below the minimum (must be >= 0)'])
  t.same(problemsAfter((c) => (c.process.user.uid = 1.5)), ['/process/user/uid: 1.5 is a number (must be an integer)'])
  t.same(problemsAfter((c) => (c.process.terminal = null)), ['/process/terminal: null is not allowed here (must be a boolean)'])
  t.same(problemsAfter((c) => (c.linux.devices[0].type = 'x')), ['/linux/devices/0/type: "x" does not have the required form (must be one of c, b, u, p)'])
  t.same(problemsAfter((c) => (c.linux.rootfsPropagation = 'bogus')), [
    '/linux/rootfsPropagation: "bogus" is not a rootfs propagation (allowed: private, shared, slave, unbindable)',
  ])
  t.same(problemsAfter((c) => (c.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }] })), [
    '/linux/seccomp/syscalls/0/names: [] has 0 items (must have at least 1)',
  ])
  t.same(problemsAfter((c) => (c.process.rlimits[0].hard = 1e20)), [
    '/process/rlimits/0/hard: 100000000000000000000 is above the maximum (must be <= 18446744073709551615)',
  ])
  t.same(checkConfig([], { willStart: false }), ['/: [] is an array (must be an object)'])
})

t.test('anyOf failures collapse to the deepest line', async (t) => {
  t.same(problemsAfter((c) => (c.linux.namespaces[1] = { type: 'pidd' })), [
    '/linux/namespaces/1/type: "pidd" is not a namespace type (allowed: mount, pid, network, uts, ipc, user, cgroup, time)',
  ])
  t.same(problemsAfter((c) => (c.linux.namespaces[1] = { path: '/proc/1/ns/pid' })), ['/linux/namespaces/1/type: required property is missing'])
  t.same(problemsAfter((c) => (c.linux.namespaces[1] = 'pid')), ['/linux/namespaces/1: "pid" is a string (must be an object)'])
})

t.test('several problems are all reported, schema ones first', async (t) => {
  const lines = problemsAfter((c) => {
    c.process.cwd = 'tmp'
    c.process.user.uid = -1
  })
  t.same(lines, ['/process/user/uid: -1 is below the minimum (must be >= 0)', '/process/cwd: "tmp" is not an absolute path (must start with /)'])
})

t.test('a semantic rule is not repeated where the schema already complained', async (t) => {
  t.same(problemsAfter((c) => (c.process.cwd = 7)), ['/process/cwd: 7 is an integer (must be a string)'])
})

t.test('unknown properties and annotations are ignored', async (t) => {
  t.same(
    problemsAfter((c) => {
      c.annotations = { 'org.example.anything': 'x', 'com.example.future': 'y' }
      c.someFutureField = { nested: [1, 2] }
      c.process.someFutureField = true
      c.linux.someFutureField = 'z'
    }),
    [],
  )
})

t.test('ociVersion: 1.0.0 to 1.3.x, with pre-release and build suffixes', async (t) => {
  for (const version of ['1.0.0', '1.0.2', '1.1.0', '1.2.1', '1.3.0', '1.3.7', '1.3.0-rc.1', '1.2.0+dev', '1.0.0-rc5']) {
    t.same(problemsAfter((c) => (c.ociVersion = version)), [], version)
  }
  t.same(problemsAfter((c) => (c.ociVersion = '2.0.0')), ['/ociVersion: "2.0.0" is not supported (runt supports 1.0.0 to 1.3.x)'])
  t.same(problemsAfter((c) => (c.ociVersion = '1.4.0')), ['/ociVersion: "1.4.0" is not supported (runt supports 1.0.0 to 1.3.x)'])
  t.same(problemsAfter((c) => (c.ociVersion = '0.5.0-dev')), ['/ociVersion: "0.5.0-dev" is not supported (runt supports 1.0.0 to 1.3.x)'])
  t.same(problemsAfter((c) => (c.ociVersion = '1.3')), ['/ociVersion: "1.3" is not a SemVer version (runt supports 1.0.0 to 1.3.x)'])
  t.same(problemsAfter((c) => (c.ociVersion = '2.0.0'), false), [], 'only checked when runt is to start the container')
})

t.test('process and args are required to start', async (t) => {
  t.same(problemsAfter((c) => delete c.process), ['/process: required property is missing (a container needs a process to start)'])
  t.same(problemsAfter((c) => delete c.process, false), [])
  t.same(problemsAfter((c) => delete c.process.args), ['/process/args: required property is missing (must name the program to start)'])
  t.same(problemsAfter((c) => (c.process.args = [])), ['/process/args: [] is empty (must name the program to start)'])
  t.same(problemsAfter((c) => (c.process.args = []), false), [])
})

t.test('root is required for Linux configs', async (t) => {
  t.same(problemsAfter((c) => delete c.root, false), ['/root: required property is missing (runt needs the root filesystem)'])
  t.same(problemsAfter((c) => (c.root.path = '')), ['/root/path: "" is empty (must name the root filesystem directory)'])
  t.same(checkConfig({ ociVersion: '1.0.0', windows: { layerFolders: ['C:\\layers'] } }, { willStart: false }), [], 'Windows configs may omit root')
})

t.test('paths the spec requires to be absolute', async (t) => {
  t.same(problemsAfter((c) => (c.process.cwd = 'tmp')), ['/process/cwd: "tmp" is not an absolute path (must start with /)'])
  t.same(problemsAfter((c) => (c.hooks.poststop[0].path = 'true')), ['/hooks/poststop/0/path: "true" is not an absolute path (must start with /)'])
  t.same(problemsAfter((c) => (c.linux.devices[0].path = 'dev/fuse')), ['/linux/devices/0/path: "dev/fuse" is not an absolute path (must start with /)'])
  t.same(problemsAfter((c) => (c.linux.maskedPaths = ['/ok', 'proc/kcore'])), ['/linux/maskedPaths/1: "proc/kcore" is not an absolute path (must start with /)'])
  t.same(problemsAfter((c) => (c.linux.readonlyPaths = ['proc/sys'])), ['/linux/readonlyPaths/0: "proc/sys" is not an absolute path (must start with /)'])
  t.same(problemsAfter((c) => (c.linux.namespaces[0] = { type: 'pid', path: 'proc/1/ns/pid' })), [
    '/linux/namespaces/0/path: "proc/1/ns/pid" is not an absolute path (must start with /)',
  ])
  t.same(problemsAfter((c) => (c.mounts[0].destination = 'proc')), [], 'relative mount destinations are deprecated, not invalid')
})

t.test('paths may not climb above the container root', async (t) => {
  const climbs = (p: string, v: string) => `${p}: "${v}" climbs above the container's root (".." may not lead above /)`
  t.same(problemsAfter((c) => (c.mounts[0].destination = '/proc/../../etc')), [climbs('/mounts/0/destination', '/proc/../../etc')])
  t.same(problemsAfter((c) => (c.mounts[0].destination = '../etc')), [climbs('/mounts/0/destination', '../etc')])
  t.same(problemsAfter((c) => (c.mounts[0].destination = '/a/../proc')), [], '".." that stays inside is fine')
  t.same(problemsAfter((c) => (c.linux.maskedPaths = ['/../x'])), [climbs('/linux/maskedPaths/0', '/../x')])
  t.same(problemsAfter((c) => (c.linux.readonlyPaths = ['/proc/../../sys'])), [climbs('/linux/readonlyPaths/0', '/proc/../../sys')])
  t.same(problemsAfter((c) => (c.linux.devices[0].path = '/dev/../../dev/fuse')), [climbs('/linux/devices/0/path', '/dev/../../dev/fuse')])
  t.same(problemsAfter((c) => (c.process.cwd = '/..')), [climbs('/process/cwd', '/..')])
})

t.test('namespaces: each type once', async (t) => {
  t.same(problemsAfter((c) => c.linux.namespaces.push({ type: 'pid' })), [
    '/linux/namespaces/2/type: "pid" is already listed at /linux/namespaces/0 (each namespace type at most once)',
  ])
})

t.test('user namespaces and id mappings', async (t) => {
  const mapping = [{ containerID: 0, hostID: 100000, size: 65536 }]
  t.same(problemsAfter((c) => c.linux.namespaces.push({ type: 'user' })), [
    '/linux/uidMappings: missing or empty (the new user namespace at /linux/namespaces/2 needs at least one uid mapping)',
    '/linux/gidMappings: missing or empty (the new user namespace at /linux/namespaces/2 needs at least one gid mapping)',
  ])
  t.same(
    problemsAfter((c) => {
      c.linux.namespaces.push({ type: 'user' })
      c.linux.uidMappings = mapping
      c.linux.gidMappings = []
    }),
    ['/linux/gidMappings: missing or empty (the new user namespace at /linux/namespaces/2 needs at least one gid mapping)'],
  )
  t.same(problemsAfter((c) => c.linux.namespaces.push({ type: 'user', path: '/proc/1/ns/user' })), [], 'joining a user namespace needs no mappings')
  t.same(problemsAfter((c) => c.linux.namespaces.push({ type: 'user', path: '' })).length, 2, 'an empty path creates a new one, as in runc')
  t.same(
    problemsAfter((c) => {
      c.linux.namespaces.push({ type: 'user' })
      c.linux.uidMappings = mapping
      c.linux.gidMappings = mapping
    }),
    [],
  )
  t.same(problemsAfter((c) => (c.linux.uidMappings = mapping)), [
    '/linux/uidMappings: given without a user namespace (add {"type": "user"} to /linux/namespaces)',
  ])
  t.same(problemsAfter((c) => (c.linux.gidMappings = mapping)), [
    '/linux/gidMappings: given without a user namespace (add {"type": "user"} to /linux/namespaces)',
  ])
  t.same(
    problemsAfter((c) => {
      c.linux.namespaces.push({ type: 'user' })
      c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 0 }]
      c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: -1 }]
    }),
    ['/linux/gidMappings/0/size: -1 is below the minimum (must be >= 0)', '/linux/uidMappings/0/size: 0 maps no ids (must be >= 1)'],
  )
  t.same(problemsAfter((c) => (c.mounts[0] = { destination: '/data', type: 'bind', source: '/srv', uidMappings: [{ containerID: 0, hostID: 1, size: 0 }] })), [
    '/mounts/0/uidMappings/0/size: 0 maps no ids (must be >= 1)',
  ])
})

t.test('capabilities must be Linux capability names', async (t) => {
  for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient']) {
    t.same(problemsAfter((c) => (c.process.capabilities[set] = ['CAP_KILL', 'CAP_FLY'])), [
      `/process/capabilities/${set}/1: "CAP_FLY" is not a Linux capability (allowed: CAP_CHOWN … CAP_CHECKPOINT_RESTORE, see capabilities(7))`,
    ], set)
  }
  t.same(problemsAfter((c) => (c.process.capabilities.bounding = ['cap_kill'])).length, 1, 'names are case-sensitive')
})

t.test('rlimits: known types, each once, soft <= hard', async (t) => {
  t.same(problemsAfter((c) => (c.process.rlimits[0].type = 'RLIMIT_WINGS')), [
    '/process/rlimits/0/type: "RLIMIT_WINGS" is not a Linux rlimit (allowed: RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS, RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS, RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME)',
  ])
  t.same(problemsAfter((c) => c.process.rlimits.push({ type: 'RLIMIT_CORE', soft: 0, hard: 0 }, { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 })), [
    '/process/rlimits/2/type: "RLIMIT_NOFILE" is already set at /process/rlimits/0 (each rlimit type at most once)',
  ])
  t.same(problemsAfter((c) => (c.process.rlimits[0].soft = 2048)), ['/process/rlimits/0/soft: 2048 is above the hard limit (must be <= 1024)'])
  t.same(problemsAfter((c) => (c.process.rlimits[0] = { type: 'RLIMIT_NOFILE', soft: 18446744073709551615, hard: 18446744073709551615 })), [], 'RLIM_INFINITY')
})

t.test('sysctl keys may not be empty', async (t) => {
  t.same(problemsAfter((c) => (c.linux.sysctl[''] = '1')), ['/linux/sysctl/: "" is not a sysctl name (keys look like net.ipv4.ip_forward)'])
})

t.test('Linux rules do not apply to other platforms', async (t) => {
  const freebsd = { ociVersion: '1.3.0', root: { path: 'rootfs' }, process: { cwd: '/', args: ['sh'], capabilities: { bounding: ['CAP_FLY'] } }, freebsd: {} }
  t.same(checkConfig(freebsd, { willStart: false }), [])
  t.same(checkConfig({ ...freebsd, linux: {} }, { willStart: false }).length, 1, 'a linux section makes them apply')
})

t.test('loadConfig reads <bundle>/config.json', async (t) => {
  const good = base()
  const spec = loadConfig(tempBundle(t, JSON.stringify(good)), { willStart: true })
  t.same(spec, good)

  const missingIn = tempBundle(t)
  t.throws(() => loadConfig(missingIn, { willStart: true }), {
    name: 'ConfigError',
    message: `config.json: no such file (${path.join(missingIn, 'config.json')})`,
    path: path.join(missingIn, 'config.json'),
  })

  const broken = tempBundle(t, '{\n  "ociVersion": "1.3.0",\n  "root": rootfs\n}\n')
  t.throws(() => loadConfig(broken, { willStart: true }), {
    name: 'ConfigError',
    message: "config.json: invalid JSON: Unexpected token 'r' at line 3, column 11",
  })
  t.throws(() => loadConfig(tempBundle(t, '{"ociVersion": "1.3.0", '), { willStart: true }), {
    message: 'config.json: invalid JSON: Expected double-quoted property name at line 1, column 25',
  })
  t.throws(() => loadConfig(tempBundle(t, '{"ociVersion": "1.3.0"'), { willStart: true }), {
    message: "config.json: invalid JSON: Expected ',' or '}' after property value at line 1, column 23",
  })
  t.throws(() => loadConfig(tempBundle(t, ''), { willStart: true }), {
    message: 'config.json: invalid JSON: Unexpected end of JSON input at line 1, column 1',
  })

  const invalid = base() as Config
  invalid.process.cwd = 'tmp'
  invalid.linux.namespaces.push({ type: 'mount' })
  const bundle = tempBundle(t, JSON.stringify(invalid))
  try {
    loadConfig(bundle, { willStart: true })
    t.fail('no error')
  } catch (e) {
    t.ok(e instanceof ConfigError)
    const err = e as ConfigError
    t.same(err.problems, [
      '/linux/namespaces/2/type: "mount" is already listed at /linux/namespaces/1 (each namespace type at most once)',
      '/process/cwd: "tmp" is not an absolute path (must start with /)',
    ])
    t.equal(err.message, err.problems.join('; '))
    t.equal(err.path, path.join(bundle, 'config.json'))
  }
})

t.test('exec process.json', async (t) => {
  t.same(checkProcess({ cwd: '/', args: ['ls'], user: { uid: 0, gid: 0 } }), [])
  t.same(checkProcess({ cwd: 'x', args: [], user: { uid: -5 } }), [
    '/user/uid: -5 is below the minimum (must be >= 0)',
    '/args: [] is empty (must name the program to start)',
    '/cwd: "x" is not an absolute path (must start with /)',
  ])
  const dir = tempBundle(t)
  const file = path.join(dir, 'process.json')
  fs.writeFileSync(file, JSON.stringify({ args: ['ls'] }))
  t.throws(() => loadProcess(file), { name: 'ConfigError', problems: ['/cwd: required property is missing'] })
})

t.test('a stale or broken code cache never changes the result', async (t) => {
  const specExample = readJson(path.join(fixtures, 'config', 'good', 'spec-example.json'))
  const bad = readJson(path.join(fixtures, 'config', 'bad', 'linux-netdevice.json'))
  const source = fs.readFileSync(path.join(root, 'schemas', 'validators.js'))
  const variants: Record<string, (dir: string) => void> = {
    'no cache': () => {},
    'stale header': (dir) => fs.writeFileSync(path.join(dir, 'validators.cache'), '{"size":1,"mtimeMs":1}\ngarbage'),
    'garbage that claims to fit': (dir) => {
      const { size, mtimeMs } = fs.statSync(path.join(dir, 'validators.js'))
      fs.writeFileSync(path.join(dir, 'validators.cache'), `${JSON.stringify({ size, mtimeMs })}\n${'x'.repeat(4096)}`)
    },
    'no header': (dir) => fs.writeFileSync(path.join(dir, 'validators.cache'), 'x'),
  }
  for (const [name, prepare] of Object.entries(variants)) {
    const dir = tempBundle(t)
    fs.writeFileSync(path.join(dir, 'validators.js'), source)
    prepare(dir)
    const { config } = loadValidators(dir)
    t.equal(config(specExample), true, `${name}: valid stays valid`)
    t.equal(config(bad), false, `${name}: invalid stays invalid`)
  }
  const empty = tempBundle(t)
  t.throws(() => loadValidators(empty), {
    name: 'RuntError',
    message: `schema validators not built: cannot read ${path.join(empty, 'validators.js')} (run npm run build)`,
  })
})

t.test('validation never compiles a schema at run time', async (t) => {
  loadConfig(tempBundle(t, JSON.stringify(base())), { willStart: true })
  const compilerModules = Object.keys(require.cache).filter((f) => /[\\/]node_modules[\\/]ajv(-draft-04)?[\\/]dist[\\/](core|ajv|index|compile[\\/])/.test(f))
  t.same(compilerModules, [], 'neither ajv nor ajv-draft-04 is loaded')
})

t.test('a NUL byte in a string that reaches the kernel is refused by pointer (fuzz seeds 7989, 8223)', async t => {
  t.same(problemsAfter(c => { c.process.args = ['sh', '-c', 'a\u0000b'] }), [
    '/process/args/2: "a\\u0000b" holds a NUL byte (not allowed in a string passed to the kernel)',
  ])
  t.same(problemsAfter(c => { c.mounts[0].options = ['ro\u0000'] }), [
    '/mounts/0/options/0: "ro\\u0000" holds a NUL byte (not allowed in a string passed to the kernel)',
  ])
  t.same(problemsAfter(c => { c.linux.sysctl['kernel.x\u0000'] = '1' }), [
    '/linux/sysctl/kernel.x\u0000: the name holds a NUL byte (not allowed in a string passed to the kernel)',
  ])
  t.same(problemsAfter(c => { c.annotations = { note: 'a\u0000b' } }), [], 'annotations are only recorded')
  t.same(checkProcess({ cwd: '/\u0000', args: ['sh'] }).filter(p => p.includes('NUL')), ['/cwd: "/\\u0000" holds a NUL byte (not allowed in a string passed to the kernel)'])
})

t.test('a hostile document nested 100000 deep is checked without a stack overflow', async t => {
  const deep = JSON.parse('['.repeat(100000) + ']'.repeat(100000))
  const problems = problemsAfter(c => { c.linux.runtfuzz = deep; c.process.env = deep })
  t.ok(problems.length > 0)
  t.match(problems.join('\n'), /\/process\/env/)
})
