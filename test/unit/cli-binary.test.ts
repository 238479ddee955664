// The built binary, driven as a client would, for what needs no root: errors and the
// JSON log, version, spec, state/list on an empty root, config rejections.
import t from 'tap'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const RUNT = path.resolve(__dirname, '..', '..', 'bin', 'runt')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runt-cli-'))
t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }))

const runt = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
  const r = spawnSync(RUNT, args, { encoding: 'utf8', env, cwd: tmp })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

if (!fs.existsSync(RUNT)) {
  t.plan(0, 'bin/runt is not built')
} else {
  t.test('runs by absolute path with an empty environment', async t => {
    const r = runt(['--version'], {})
    t.equal(r.status, 0)
    t.match(r.stdout, /^runt version \d+\.\d+\.\d+\ncommit: \S+\nspec: 1\.3\.0\n$/)
  })

  t.test('an error: one line on stderr, one JSON object in --log', async t => {
    const log = path.join(tmp, 'log.json')
    const root = path.join(tmp, 'root')
    const r = runt(['--root', root, '--log', log, '--log-format', 'json', 'state', 'nosuch'])
    t.equal(r.status, 1)
    t.equal(r.stderr, 'container does not exist\n')
    const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)
    t.equal(lines.length, 1, 'exactly one object')
    const entry = JSON.parse(lines[0])
    t.equal(entry.level, 'error')
    t.equal(entry.msg, 'container does not exist')
    t.match(entry.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/)
    t.same(Object.keys(entry), [...Object.keys(entry)].sort(), 'keys in Go map order')
  })

  t.test('a usage error also reaches the JSON log', async t => {
    const log = path.join(tmp, 'usage.json')
    const r = runt(['--log', log, '--log-format=json', 'kill'])
    t.equal(r.status, 1)
    t.equal(r.stderr.trim().split('\n').length, 1)
    t.equal(JSON.parse(fs.readFileSync(log, 'utf8')).level, 'error')
    const bad = runt(['--log-format', 'yaml', 'list'])
    t.equal(bad.status, 1)
    t.equal(bad.stderr, 'invalid log-format: yaml\n')
  })

  t.test('state and list on an empty root, as runc', async t => {
    const root = path.join(tmp, 'empty')
    fs.mkdirSync(root)
    t.equal(runt(['--root', root, 'list']).stdout, 'ID          PID         STATUS      BUNDLE      CREATED     OWNER\n')
    t.equal(runt(['--root', root, 'list', '--format', 'json']).stdout, 'null\n')
    t.equal(runt(['--root', root, 'list', '-q']).stdout, '')
    const missing = runt(['--root', path.join(tmp, 'missing'), 'list'])
    t.equal(missing.status, 1, 'an explicit root that does not exist is an error')
    const s = runt(['--root', root, 'state', 'x'])
    t.equal(s.status, 1)
    t.equal(s.stderr, 'container does not exist\n')
  })

  t.test('spec writes config.json once', async t => {
    const bundle = path.join(tmp, 'bundle')
    fs.mkdirSync(bundle)
    t.equal(runt(['spec', '--bundle', bundle]).status, 0)
    const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'))
    t.equal(spec.ociVersion, '1.3.0')
    t.same(spec.process.args, ['sh'])
    t.equal(spec.root.path, 'rootfs')
    const again = runt(['spec', '-b', bundle])
    t.equal(again.status, 1)
    t.equal(again.stderr, 'File config.json exists. Remove it first\n')
    t.equal(runt(['spec', '--rootless', '--bundle', path.join(tmp)]).status, 0)
    const rootless = JSON.parse(fs.readFileSync(path.join(tmp, 'config.json'), 'utf8'))
    t.ok(rootless.linux.namespaces.some((n: { type: string }) => n.type === 'user'))
  })

  t.test('a rejected config: one line naming the field, nothing on disk', async t => {
    const bundle = path.join(tmp, 'bad')
    fs.mkdirSync(bundle)
    runt(['spec', '--bundle', bundle])
    const cfg = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'))
    cfg.process.cwd = 'relative'
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(cfg))
    const root = path.join(tmp, 'rejections')
    const r = runt(['--root', root, 'create', '--bundle', bundle, 'c1'])
    t.equal(r.status, 1)
    t.match(r.stderr, /^\/process\/cwd: .*relative.*\n$/)
    t.notOk(fs.existsSync(path.join(root, 'c1')), 'no state directory')
    fs.writeFileSync(path.join(bundle, 'config.json'), '{"ociVersion": ')
    const j = runt(['--root', root, 'create', '--bundle', bundle, 'c2'])
    t.match(j.stderr, /^config\.json: invalid JSON/)
  })

  t.test('features: the runtime-spec features document', async t => {
    const r = runt(['features'])
    t.equal(r.status, 0)
    const f = JSON.parse(r.stdout)
    t.equal(f.ociVersionMin, '1.0.0')
    t.equal(f.ociVersionMax, '1.3.0')
    t.ok(r.stdout.startsWith('{\n    "ociVersion'), '4-space indent')
    t.same(f.linux.seccomp, {
      enabled: true,
      actions: ['SCMP_ACT_ALLOW', 'SCMP_ACT_ERRNO', 'SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_LOG',
        'SCMP_ACT_NOTIFY', 'SCMP_ACT_TRACE', 'SCMP_ACT_TRAP'],
      operators: ['SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_LE', 'SCMP_CMP_LT', 'SCMP_CMP_MASKED_EQ', 'SCMP_CMP_NE'],
      archs: f.linux.seccomp.archs,
      knownFlags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW', 'SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
      supportedFlags: f.linux.seccomp.supportedFlags,
    }, 'seccomp: every action, operator and flag runt takes')
    t.ok(['SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_AARCH64'].every(a => f.linux.seccomp.archs.includes(a)), 'the common architectures')
    t.ok(f.linux.seccomp.supportedFlags.every((x: string) => f.linux.seccomp.knownFlags.includes(x)), 'supportedFlags within knownFlags')
    t.match(f.annotations['io.github.seccomp.libseccomp.version'], /^\d+\.\d+\.\d+$/)
    // validated with the same precompiled schema validators runt ships
    const validators = require(path.resolve(__dirname, '..', '..', 'schemas', 'validators.js'))
    t.ok(validators.features(f), JSON.stringify(validators.features.errors))
    // what test/integration/mounts.test.ts shows working
    for (const o of ['tmpcopyup', 'idmap', 'ridmap', 'rro']) t.ok(f.mountOptions.includes(o), `mount option ${o}`)
    t.same([f.linux.mountExtensions, f.linux.netDevices], [{ idmap: { enabled: true } }, { enabled: true }])
    t.same(f.hooks, ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'], 'every hook phase')
    t.same(f.linux.memoryPolicy.modes.length, 7, 'every memory policy mode')
    t.same(f.potentiallyUnsafeConfigAnnotations, [], 'runt interprets no annotation')
  })
}
