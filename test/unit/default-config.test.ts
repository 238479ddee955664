import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { defaultSpec, writeSpec } from '../../src/spec/default-config'
import { checkConfig } from '../../src/spec/validate'
import { RuntError } from '../../src/errors'

t.test('the default spec: runc\'s example, version 1.3.0, hostname runt', async t => {
  const spec = defaultSpec({ rootless: false })
  t.equal(spec.ociVersion, '1.3.0')
  t.equal(spec.hostname, 'runt')
  t.same(spec.root, { path: 'rootfs', readonly: true })
  t.same(spec.process?.args, ['sh'])
  t.equal(spec.process?.terminal, true)
  t.same(spec.process?.user, { uid: 0, gid: 0 })
  t.same(spec.process?.capabilities?.bounding, ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'])
  t.same(spec.process?.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }])
  t.same(spec.mounts?.map(m => m.destination), ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup'])
  t.same(spec.linux?.namespaces?.map(n => n.type), ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'])
  t.same(spec.linux?.resources, { devices: [{ allow: false, access: 'rwm' }] })
  t.ok(spec.linux?.maskedPaths?.includes('/proc/kcore'))
  t.ok(spec.linux?.readonlyPaths?.includes('/proc/sys'))
  t.same(Object.keys(spec), ['ociVersion', 'process', 'root', 'hostname', 'mounts', 'linux'], 'keys in runc\'s order')
})

t.test('the rootless spec: own user namespace mapping the given ids, no network namespace, no cgroup settings', async t => {
  const spec = defaultSpec({ rootless: true, uid: 1000, gid: 1001 })
  t.same(spec.linux?.namespaces?.map(n => n.type), ['pid', 'ipc', 'uts', 'mount', 'cgroup', 'user'])
  t.same(spec.linux?.uidMappings, [{ containerID: 0, hostID: 1000, size: 1 }])
  t.same(spec.linux?.gidMappings, [{ containerID: 0, hostID: 1001, size: 1 }])
  t.equal(spec.linux?.resources, undefined)
  t.same(spec.mounts?.find(m => m.destination === '/sys'), { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] })
  t.notOk(spec.mounts?.some(m => m.options?.some(o => o.startsWith('gid=') || o.startsWith('uid='))), 'no uid=/gid= options')
  t.same(Object.keys(spec.linux ?? {}), ['uidMappings', 'gidMappings', 'namespaces', 'maskedPaths', 'readonlyPaths'])
  t.same(defaultSpec({ rootless: true }).linux?.uidMappings?.[0].hostID, process.geteuid?.(), 'defaults to the caller')
})

t.test('both variants pass runt\'s own config validation', async t => {
  t.same(checkConfig(defaultSpec({ rootless: false }), { willStart: true }), [])
  t.same(checkConfig(defaultSpec({ rootless: true, uid: 1000, gid: 1000 }), { willStart: true }), [])
})

t.test('writeSpec writes tab-indented JSON without a trailing newline, as runc', async t => {
  const dir = t.testdir()
  writeSpec(dir, false)
  const text = fs.readFileSync(path.join(dir, 'config.json'), 'utf8')
  t.ok(text.startsWith('{\n\t"ociVersion": "1.3.0",\n\t"process": {\n\t\t"terminal": true,'))
  t.ok(text.endsWith('\n\t}\n}'))
  t.same(JSON.parse(text), defaultSpec({ rootless: false }))
})

t.test('writeSpec never replaces an existing config.json', async t => {
  const dir = t.testdir({ 'config.json': 'mine' })
  t.throws(() => writeSpec(dir, false), { constructor: RuntError, message: /^File config.json exists. Remove it first$/ })
  t.equal(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'), 'mine')
  fs.rmSync(path.join(dir, 'config.json'))
  fs.symlinkSync('/nonexistent/target', path.join(dir, 'config.json'))
  t.throws(() => writeSpec(dir, false), { message: /^File config.json exists. Remove it first$/ }, 'not even a dangling symlink')
})

t.test('writeSpec into a missing bundle directory names the path', async t => {
  const file = path.join(t.testdir(), 'nope', 'config.json')
  t.throws(() => writeSpec(path.dirname(file), true), { message: `spec: write config.json: ENOENT (${file})` })
})
