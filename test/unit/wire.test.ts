// The launch plan's bytes, and the numbers the C executor reads them with.
import t from 'tap'
import fs from 'node:fs'
import path from 'node:path'
import { Msg, PLAN_MAGIC, Sub, Tag, encodePlan, frame } from '../../src/plan/wire'
import type { LaunchPlan } from '../../src/plan/types'
import { executorPath } from '../../src/launcher/launch'
import { SyncChannel } from '../../src/launcher/sync-channel'
import { native } from '../../src/sys/native'

function plan(over: Partial<LaunchPlan> = {}): LaunchPlan {
  return {
    mode: 'init', cloneFlags: 0x20000000, joinNamespaces: [], uidMappings: [], gidMappings: [], timeOffsets: [],
    rootfs: '/r', rootPropagation: 0x80000, rootfsPropagation: 0, readonlyRootfs: false, noPivot: false,
    mounts: [], netDevices: [], devices: [], symlinks: [], maskedPaths: [], readonlyPaths: [], hostname: null, domainname: null,
    sysctls: [], hookPause: false, args: ['sh'], env: [], cwd: '/', uid: 0, gid: 0, additionalGids: [], umask: null,
    rlimits: [], capabilities: null, noNewPrivileges: false, oomScoreAdj: null, terminal: false, consoleSize: null,
    preserveFds: 0, newKeyring: true, cpuAffinityInitial: null, cpuAffinityFinal: null, seccomp: null, apparmorProfile: null, selinuxLabel: null, ...over,
  }
}

interface Rec { tag: number; body: Buffer }

/** Split a record stream the way native/exec/plan.c walks it. */
function records(buf: Buffer): Rec[] {
  const out: Rec[] = []
  let at = 0
  while (at < buf.length) {
    const tag = buf.readUInt16LE(at)
    const len = buf.readUInt32LE(at + 4)
    out.push({ tag, body: buf.subarray(at + 8, at + 8 + len) })
    at += 8 + len
  }
  return out
}

const planRecords = (p: LaunchPlan) => records(encodePlan(p).subarray(PLAN_MAGIC.length))
const find = (recs: Rec[], tag: number) => recs.filter(r => r.tag === tag)

t.test('a plan starts with the magic, then MODE as an 8-byte number', async t => {
  const bytes = encodePlan(plan({ mode: 'join' }))
  t.equal(bytes.subarray(0, 8).toString('latin1'), 'RUNTPLN1')
  t.same([...bytes.subarray(8, 16)], [Tag.MODE, 0, 0, 0, 8, 0, 0, 0], 'u16 tag, u16 zero, u32 length')
  t.equal(bytes.readBigUInt64LE(16), 1n, 'join is 1')
})

t.test('strings end in one NUL that the length counts; lists repeat their tag in order', async t => {
  const recs = planRecords(plan({ args: ['echo', 'hi'] }))
  const args = find(recs, Tag.ARG)
  t.same(args.map(r => r.body.toString('latin1')), ['echo\0', 'hi\0'])
  const rootfs = find(recs, Tag.ROOTFS)[0]
  t.equal(rootfs?.body.length, 3)
})

t.test('a MOUNT record nests its fields; createAs file is M_CREATE_FILE 1', async t => {
  const recs = planRecords(plan({
    mounts: [{ destination: '/etc/hosts', source: '/h', fstype: 'none', flags: 0x1000 | 0x4000, propagation: [0x40000, 0x100000],
      data: '', recAttrSet: 1, recAttrClr: 0, createAs: 'file', tmpcopyup: false, idmap: null }],
  }))
  const mount = find(recs, Tag.MOUNT)
  t.equal(mount.length, 1)
  const fields = records(mount[0]!.body)
  t.same(fields.map(f => f.tag), [Sub.M_DEST, Sub.M_SOURCE, Sub.M_FSTYPE, Sub.M_FLAGS, Sub.M_PROPAGATION, Sub.M_PROPAGATION,
    Sub.M_DATA, Sub.M_ATTR_SET, Sub.M_ATTR_CLR, Sub.M_CREATE_FILE])
  t.equal(fields[0]!.body.toString('latin1'), '/etc/hosts\0')
  t.equal(fields[3]!.body.readBigUInt64LE(0), 0x5000n)
  t.same([fields[4]!.body.readBigUInt64LE(0), fields[5]!.body.readBigUInt64LE(0)], [0x40000n, 0x100000n])
  t.equal(fields[9]!.body.readBigUInt64LE(0), 1n)
})

t.test('tmpcopyup, idmap maps and net devices: tags only when used', async t => {
  const base = { destination: '/d', source: '/s', fstype: 'bind', flags: 0x1000, propagation: [], data: '', recAttrSet: 0, recAttrClr: 0, createAs: 'dir' as const }
  const map = [{ containerID: 0, hostID: 100000, size: 65536 }, { containerID: 65536, hostID: 1, size: 1 }]
  const recs = planRecords(plan({
    mounts: [
      { ...base, tmpcopyup: false, idmap: null },
      { ...base, tmpcopyup: true, idmap: { recursive: true, uidMappings: map, gidMappings: [map[0]!] } },
    ],
    netDevices: [{ hostName: 'veth0', name: 'eth%d' }],
  }))
  const [plain, special] = find(recs, Tag.MOUNT).map(m => records(m.body))
  t.notOk(plain!.some(f => f.tag >= Sub.M_TMPCOPYUP), 'a plain mount has none of the new fields')
  const field = (tag: number) => special!.find(f => f.tag === tag)!.body
  t.equal(field(Sub.M_TMPCOPYUP).readBigUInt64LE(0), 1n)
  t.equal(field(Sub.M_IDMAP).readBigUInt64LE(0), 2n, 'ridmap is 2')
  t.equal(field(Sub.M_UID_MAP).toString(), '0 100000 65536\n65536 1 1\n\0', 'uid_map text')
  t.equal(field(Sub.M_GID_MAP).toString(), '0 100000 65536\n\0')
  const dev = records(find(recs, Tag.NET_DEVICE)[0]!.body)
  t.same(dev.map(f => [f.tag, f.body.toString()]), [[Sub.ND_HOST_NAME, 'veth0\0'], [Sub.ND_NAME, 'eth%d\0']])
})

t.test('negative numbers are two\'s complement; optional fields are absent when null', async t => {
  const recs = planRecords(plan({ oomScoreAdj: -500 }))
  t.equal(find(recs, Tag.OOM_SCORE_ADJ)[0]!.body.readBigInt64LE(0), -500n)
  for (const tag of [Tag.HOSTNAME, Tag.DOMAINNAME, Tag.UMASK, Tag.CAPS, Tag.CONSOLE_SIZE]) {
    t.equal(find(recs, tag).length, 0, `tag ${tag} absent`)
  }
  t.equal(find(planRecords(plan({ hostname: '' })), Tag.HOSTNAME)[0]!.body.toString('latin1'), '\0', 'an empty hostname is still set')
})

t.test('capability masks keep all 64 bits; devices carry their type as an ASCII code', async t => {
  const recs = planRecords(plan({
    capabilities: { bounding: 1n << 40n, effective: 1n, permitted: 3n, inheritable: 0n, ambient: 0n },
    devices: [{ path: '/dev/null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0, bindFromHost: false }],
  }))
  const caps = records(find(recs, Tag.CAPS)[0]!.body)
  t.equal(caps.find(c => c.tag === Sub.C_BOUNDING)!.body.readBigUInt64LE(0), 1n << 40n)
  const dev = records(find(recs, Tag.DEVICE)[0]!.body)
  t.equal(dev.find(d => d.tag === Sub.D_TYPE)!.body.readBigUInt64LE(0), BigInt('c'.charCodeAt(0)))
})

t.test('a container HOOK record: phase code, path, argv and env in order, timeout', async t => {
  const recs = planRecords(plan({
    containerHooks: [
      { phase: 'createContainer', path: '/h', args: ['h', '-x'], env: ['A=1', 'B=2'], timeout: 5 },
      { phase: 'startContainer', path: '/s', args: ['/s'], env: [], timeout: 0 },
    ],
  }))
  const hooks = find(recs, Tag.HOOK).map(h => records(h.body))
  t.same(hooks[0]!.map(f => f.tag), [Sub.H_PHASE, Sub.H_PATH, Sub.H_ARG, Sub.H_ARG, Sub.H_ENV, Sub.H_ENV, Sub.H_TIMEOUT])
  t.same(hooks[0]!.map(f => (f.body.length === 8 && f.tag !== Sub.H_PATH ? Number(f.body.readBigUInt64LE(0)) : f.body.toString('latin1'))),
    [0, '/h\0', 'h\0', '-x\0', 'A=1\0', 'B=2\0', 5])
  t.equal(hooks[1]![0]!.body.readBigUInt64LE(0), 1n, 'startContainer is phase 1')
  t.equal(find(planRecords(plan()), Tag.HOOK).length, 0, 'none without hooks')
})

t.test('a seccomp filter is its raw BPF bytes, followed by its flags; absent without seccomp', async t => {
  const filter = Buffer.from([6, 0, 0, 0, 0, 0, 0xff, 0x7f]) // BPF_RET ALLOW
  const recs = planRecords(plan({ seccomp: { filter, flags: 2 } }))
  t.same(find(recs, Tag.SECCOMP_FILTER)[0]!.body, filter)
  t.equal(find(recs, Tag.SECCOMP_FLAGS)[0]!.body.readBigUInt64LE(0), 2n)
  const none = planRecords(plan())
  t.equal(find(none, Tag.SECCOMP_FILTER).length + find(none, Tag.SECCOMP_FLAGS).length, 0)
})

t.test('SCHEDULER, IO_PRIORITY, PERSONALITY, MEMORY_POLICY: absent when null, numbers in sub-tag order', async t => {
  t.same([Tag.SCHEDULER, Tag.IO_PRIORITY, Tag.PERSONALITY, Tag.MEMORY_POLICY].map(tag => find(planRecords(plan()), tag).length), [0, 0, 0, 0])
  const recs = planRecords(plan({
    scheduler: { policy: 5, nice: -3, priority: 0, flags: 1, runtime: 0n, deadline: 0n, period: 0n },
    ioPriority: (2 << 13) | 4, personality: 8, memoryPolicy: { mode: 2, flags: 1 << 15, nodes: [0, 2] },
  }))
  const sched = records(find(recs, Tag.SCHEDULER)[0]!.body)
  t.same(sched.map(f => f.tag), [1, 2, 3, 4, 5, 6, 7])
  t.same(sched.map(f => f.body.readBigInt64LE(0)), [5n, -3n, 0n, 1n, 0n, 0n, 0n])
  t.equal(find(recs, Tag.IO_PRIORITY)[0]!.body.readBigUInt64LE(0), 16388n)
  t.equal(find(recs, Tag.PERSONALITY)[0]!.body.readBigUInt64LE(0), 8n)
  const mp = records(find(recs, Tag.MEMORY_POLICY)[0]!.body)
  t.same(mp.map(f => [f.tag, Number(f.body.readBigUInt64LE(0))]), [[Sub.MP_MODE, 2], [Sub.MP_FLAGS, 32768], [Sub.MP_NODE, 0], [Sub.MP_NODE, 2]])
})

t.test('TEST_STOP_AT: the point as a string, absent when unset', async t => {
  t.same(find(planRecords(plan({ testStopAt: 'exec:capset' })), Tag.TEST_STOP_AT).map(r => r.body.toString('latin1')), ['exec:capset\0'])
  t.equal(find(planRecords(plan()), Tag.TEST_STOP_AT).length + find(planRecords(plan({ testStopAt: null })), Tag.TEST_STOP_AT).length, 0)
})

t.test('a string with a NUL byte cannot be encoded', async t => {
  t.throws(() => encodePlan(plan({ args: ['a\0b'] })), /NUL/)
})

t.test('frame: u32 type, u32 length, payload', async t => {
  const f = frame(Msg.PID, Buffer.from([1, 2]))
  t.same([...f], [Msg.PID, 0, 0, 0, 2, 0, 0, 0, 1, 2])
})

t.test('native/exec/protocol.h defines exactly the numbers of wire.ts', async t => {
  const header = fs.readFileSync(path.join(__dirname, '..', '..', 'native', 'exec', 'protocol.h'), 'utf8')
  const defined = (prefix: string) => {
    const out: Record<string, number> = {}
    for (const m of header.matchAll(new RegExp(`^#define RUNT_${prefix}_(\\w+) (\\d+)$`, 'gm'))) out[m[1]!] = Number(m[2])
    return out
  }
  t.same(defined('TAG'), Tag, 'Tag')
  t.same(defined('SUB'), Sub, 'Sub')
  t.same(defined('MSG'), Msg, 'Msg')
  t.match(header, `#define RUNT_PLAN_MAGIC "${PLAN_MAGIC}"`)
})

/** Hand runt-exec raw plan bytes; what it answers (it needs no root to reject a plan). */
function executorAnswer(planBytes: Buffer) {
  const child = native().spawnExecutor(executorPath(), -1, -1, 0)
  const chan = new SyncChannel(child.syncFd, 30_000)
  try {
    chan.send(Msg.PLAN, planBytes)
    const m = chan.receive()
    const wait = native().waitPid(child.pid, false)
    if (m?.type !== Msg.ERROR) return { type: m?.type, wait }
    const [step, path] = m.payload.subarray(8).toString().split('\0')
    return { type: m.type, errno: Number(m.payload.readBigUInt64LE(0)), step, path, wait }
  } finally {
    chan.close()
  }
}

const rec = (tag: number, body: Buffer) => {
  const h = Buffer.alloc(8)
  h.writeUInt16LE(tag, 0)
  h.writeUInt32LE(body.length, 4)
  return Buffer.concat([h, body])
}

t.test('the executor rejects a malformed plan with ERROR step "plan"', { skip: fs.existsSync(executorPath()) ? false : 'runt-exec is not built' }, async t => {
  const good = encodePlan(plan())
  const EINVAL = 22
  const cases: [string, Buffer, string][] = [
    ['bad magic', Buffer.concat([Buffer.from('RUNTPLN0'), good.subarray(8)]), 'bad magic'],
    ['an unknown tag', Buffer.concat([good, rec(99, Buffer.alloc(8))]), 'unknown tag'],
    ['a length past the end', Buffer.concat([good, rec(Tag.ARG, Buffer.from('x\0')).subarray(0, 9)]), 'record length past the end'],
    ['a string without NUL', Buffer.concat([good, rec(Tag.ARG, Buffer.from('x'))]), 'string record without its NUL'],
    ['a short number', Buffer.concat([good, rec(Tag.UID, Buffer.alloc(4))]), 'number record is not 8 bytes'],
    ['an unknown field in a record', Buffer.concat([good, rec(Tag.MOUNT, rec(42, Buffer.alloc(8)))]), 'unknown tag in MOUNT'],
    ['no ARG', encodePlan(plan({ args: [] })), 'no ARG'],
    ['a HOOK without argv', Buffer.concat([good, rec(Tag.HOOK, Buffer.concat([rec(Sub.H_PHASE, Buffer.alloc(8)), rec(Sub.H_PATH, Buffer.from('/h\0'))]))]),
      'HOOK without phase, path or args'],
    ['a HOOK of an unknown phase', Buffer.concat([good, rec(Tag.HOOK, rec(Sub.H_PHASE, Buffer.from([7, 0, 0, 0, 0, 0, 0, 0])))]), 'HOOK of an unknown phase'],
    ['a seccomp filter of part of an instruction', Buffer.concat([good, rec(Tag.SECCOMP_FILTER, Buffer.alloc(12))]), 'SECCOMP_FILTER is not a whole number of instructions'],
    ['seccomp flags without a filter', Buffer.concat([good, rec(Tag.SECCOMP_FLAGS, Buffer.alloc(8, 1))]), 'SECCOMP_FLAGS without SECCOMP_FILTER'],
  ]
  for (const [what, bytes, why] of cases) {
    const a = executorAnswer(bytes)
    t.match(a, { type: Msg.ERROR, errno: EINVAL, step: 'plan', path: why, wait: { exited: true, status: 1 } }, what)
  }
})
