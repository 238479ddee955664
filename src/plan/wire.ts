// Byte encoding of a LaunchPlan, read by the native executor (native/exec/plan.c).
//
// A plan is the 8-byte magic "RUNTPLN1" followed by records:
//   u16 tag | u16 zero | u32 length | payload[length]
// all little-endian. Payload kinds:
//   num  - 8 bytes, unsigned or two's-complement signed
//   str  - the bytes followed by one NUL (length counts the NUL)
//   bytes - raw bytes
//   list - a repeated tag; order is kept
//   rec  - nested records (same framing) for a compound value
// An absent optional tag means "not set". Unknown tags are an error in the
// executor, so a plan never silently loses a field. The numbers below are mirrored
// in native/exec/protocol.h; test/unit/wire.test.ts checks that both agree.

import { idMapText } from './id-map-text'
import type { LaunchPlan } from './types'

export const PLAN_MAGIC = 'RUNTPLN1'

export const Tag = {
  MODE: 1, // num: 0 init, 1 join
  CLONE_FLAGS: 2, // num
  JOIN_NS: 3, // rec {NS_TYPE, NS_PATH}, list
  TIME_OFFSET: 4, // rec {TO_CLOCK, TO_SECS, TO_NSECS}, list

  ROOTFS: 10, // str
  ROOT_PROPAGATION: 11, // num (MS_* flags)
  ROOTFS_PROPAGATION: 12, // num
  READONLY_ROOTFS: 13, // num 0/1
  NO_PIVOT: 14, // num 0/1
  MOUNT: 15, // rec, list
  DEVICE: 16, // rec, list
  SYMLINK: 17, // rec, list
  MASKED_PATH: 18, // str, list
  READONLY_PATH: 19, // str, list
  HOSTNAME: 20, // str, optional
  DOMAINNAME: 21, // str, optional
  SYSCTL: 22, // rec {S_KEY, S_VALUE}, list
  HOOK_PAUSE: 23, // num 0/1

  ARG: 30, // str, list
  ENV: 31, // str, list
  CWD: 32, // str
  UID: 33, // num
  GID: 34, // num
  ADDITIONAL_GID: 35, // num, list
  UMASK: 36, // num, optional
  RLIMIT: 37, // rec {R_RESOURCE, R_SOFT, R_HARD}, list
  CAPS: 38, // rec {C_*}, optional (absent: leave capabilities alone)
  NO_NEW_PRIVS: 39, // num 0/1
  OOM_SCORE_ADJ: 40, // num (signed), optional
  TERMINAL: 41, // num 0/1
  CONSOLE_SIZE: 42, // rec {CS_HEIGHT, CS_WIDTH}, optional
  PRESERVE_FDS: 43, // num
  NEW_KEYRING: 44, // num 0/1
  CPU_AFFINITY_INITIAL: 45, // str "0,1,5", optional
  CPU_AFFINITY_FINAL: 46, // str, optional
  HOOK: 47, // rec {H_PHASE, H_PATH, H_ARG list, H_ENV list, H_TIMEOUT}, list

  SCHEDULER: 48, // rec {SC_POLICY, SC_NICE (signed), SC_PRIORITY, SC_FLAGS, SC_RUNTIME, SC_DEADLINE, SC_PERIOD}, optional
  IO_PRIORITY: 49, // num (ioprio_set value), optional
  PERSONALITY: 50, // num (personality value), optional
  MEMORY_POLICY: 51, // rec {MP_MODE, MP_FLAGS, MP_NODE list}, optional

  NET_DEVICE: 64, // rec {ND_HOST_NAME, ND_NAME}, list

  SECCOMP_FILTER: 70, // bytes (struct sock_filter[]), optional
  SECCOMP_FLAGS: 71, // num, with SECCOMP_FILTER
  TEST_STOP_AT: 72, // str, optional: a test-only executor stop point (RUNT_TEST_STOP_AT, never from config.json)
  APPARMOR_PROFILE: 95, // str, optional
  SELINUX_LABEL: 96, // str, optional
} as const

/** Tags inside nested records. Each record kind numbers its fields from 1. */
export const Sub = {
  NS_TYPE: 1, NS_PATH: 2,
  TO_CLOCK: 1, TO_SECS: 2, TO_NSECS: 3,
  M_DEST: 1, M_SOURCE: 2, M_FSTYPE: 3, M_FLAGS: 4, M_PROPAGATION: 5, M_DATA: 6,
  M_ATTR_SET: 7, M_ATTR_CLR: 8, M_CREATE_FILE: 9,
  M_TMPCOPYUP: 60, M_IDMAP: 61, M_UID_MAP: 62, M_GID_MAP: 63,
  ND_HOST_NAME: 1, ND_NAME: 2,
  D_PATH: 1, D_TYPE: 2, D_MAJOR: 3, D_MINOR: 4, D_MODE: 5, D_UID: 6, D_GID: 7, D_BIND: 8,
  L_TARGET: 1, L_PATH: 2,
  S_KEY: 1, S_VALUE: 2,
  R_RESOURCE: 1, R_SOFT: 2, R_HARD: 3,
  C_BOUNDING: 1, C_EFFECTIVE: 2, C_PERMITTED: 3, C_INHERITABLE: 4, C_AMBIENT: 5,
  CS_HEIGHT: 1, CS_WIDTH: 2,
  H_PHASE: 1, H_PATH: 2, H_ARG: 3, H_ENV: 4, H_TIMEOUT: 5,
  SC_POLICY: 1, SC_NICE: 2, SC_PRIORITY: 3, SC_FLAGS: 4, SC_RUNTIME: 5, SC_DEADLINE: 6, SC_PERIOD: 7,
  MP_MODE: 1, MP_FLAGS: 2, MP_NODE: 3,
} as const

/** Messages on the sync socket: u32 type | u32 length | payload (little-endian). */
export const Msg = {
  PLAN: 1, // parent -> executor: the encoded plan
  PID: 2, // executor -> parent: num, host pid of the container init / exec'd process
  CONTINUE: 3, // parent -> child: go on (after id maps / cgroup / hooks)
  HOOKS: 4, // init -> parent: namespaces and mounts ready, before pivot_root
  CREATED: 5, // init -> parent: ready, about to wait on the exec fifo
  ERROR: 6, // child -> parent: num errno, str step, str path
  ABORT: 7, // parent -> child: give up (the child exits)
  HOOK_STATE: 47, // parent -> init, at HOOKS when the plan has container hooks: str "creating" state, str "created" state
  SECCOMP_FD: 70, // child -> parent: no payload, the seccomp listener fd attached (SCM_RIGHTS)
} as const

const HOOK_PHASE_CODE = { createContainer: 0, startContainer: 1 } as const

const DEVICE_TYPE_CODE = { c: 0x63, b: 0x62, p: 0x70 } as const // ASCII 'c' 'b' 'p'

class RecordWriter {
  private chunks: Buffer[] = []

  private header(tag: number, length: number): void {
    const h = Buffer.alloc(8)
    h.writeUInt16LE(tag, 0)
    h.writeUInt16LE(0, 2)
    h.writeUInt32LE(length, 4)
    this.chunks.push(h)
  }

  num(tag: number, value: number | bigint | boolean): this {
    const v = typeof value === 'boolean' ? (value ? 1n : 0n) : BigInt(value)
    const b = Buffer.alloc(8)
    if (v < 0n) b.writeBigInt64LE(v)
    else b.writeBigUInt64LE(v)
    this.header(tag, 8)
    this.chunks.push(b)
    return this
  }

  str(tag: number, value: string): this {
    const bytes = Buffer.from(value, 'utf8')
    if (bytes.includes(0)) throw new Error(`plan string contains a NUL byte: ${JSON.stringify(value)}`)
    this.header(tag, bytes.length + 1)
    this.chunks.push(bytes, Buffer.alloc(1))
    return this
  }

  raw(tag: number, value: Buffer): this {
    this.header(tag, value.length)
    this.chunks.push(value)
    return this
  }

  rec(tag: number, fill: (w: RecordWriter) => void): this {
    const inner = new RecordWriter()
    fill(inner)
    const body = inner.bytes()
    this.header(tag, body.length)
    this.chunks.push(body)
    return this
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks)
  }
}

export function encodePlan(p: LaunchPlan): Buffer {
  const w = new RecordWriter()
  w.num(Tag.MODE, p.mode === 'init' ? 0 : 1)
  w.num(Tag.CLONE_FLAGS, p.cloneFlags)
  for (const ns of p.joinNamespaces) {
    w.rec(Tag.JOIN_NS, r => r.str(Sub.NS_TYPE, ns.type).str(Sub.NS_PATH, ns.path))
  }
  for (const t of p.timeOffsets) {
    w.rec(Tag.TIME_OFFSET, r => r.str(Sub.TO_CLOCK, t.clock).num(Sub.TO_SECS, t.secs).num(Sub.TO_NSECS, t.nanosecs))
  }

  w.str(Tag.ROOTFS, p.rootfs)
  w.num(Tag.ROOT_PROPAGATION, p.rootPropagation)
  w.num(Tag.ROOTFS_PROPAGATION, p.rootfsPropagation)
  w.num(Tag.READONLY_ROOTFS, p.readonlyRootfs)
  w.num(Tag.NO_PIVOT, p.noPivot)
  for (const m of p.mounts) {
    w.rec(Tag.MOUNT, r => {
      r.str(Sub.M_DEST, m.destination).str(Sub.M_SOURCE, m.source).str(Sub.M_FSTYPE, m.fstype)
      r.num(Sub.M_FLAGS, m.flags)
      for (const prop of m.propagation) r.num(Sub.M_PROPAGATION, prop)
      r.str(Sub.M_DATA, m.data).num(Sub.M_ATTR_SET, m.recAttrSet).num(Sub.M_ATTR_CLR, m.recAttrClr)
      r.num(Sub.M_CREATE_FILE, m.createAs === 'file')
      if (m.tmpcopyup) r.num(Sub.M_TMPCOPYUP, 1)
      const idmap = m.idmap
      if (idmap) {
        // 1: idmap the mount itself, 2: and every submount of it (ridmap)
        r.num(Sub.M_IDMAP, idmap.recursive ? 2 : 1)
        r.str(Sub.M_UID_MAP, idMapText(idmap.uidMappings)).str(Sub.M_GID_MAP, idMapText(idmap.gidMappings))
      }
    })
  }
  for (const d of p.devices) {
    w.rec(Tag.DEVICE, r =>
      r.str(Sub.D_PATH, d.path).num(Sub.D_TYPE, DEVICE_TYPE_CODE[d.type]).num(Sub.D_MAJOR, d.major)
        .num(Sub.D_MINOR, d.minor).num(Sub.D_MODE, d.fileMode).num(Sub.D_UID, d.uid).num(Sub.D_GID, d.gid)
        .num(Sub.D_BIND, d.bindFromHost))
  }
  for (const l of p.symlinks) w.rec(Tag.SYMLINK, r => r.str(Sub.L_TARGET, l.target).str(Sub.L_PATH, l.linkPath))
  for (const m of p.maskedPaths) w.str(Tag.MASKED_PATH, m)
  for (const m of p.readonlyPaths) w.str(Tag.READONLY_PATH, m)
  if (p.hostname !== null) w.str(Tag.HOSTNAME, p.hostname)
  if (p.domainname !== null) w.str(Tag.DOMAINNAME, p.domainname)
  for (const s of p.sysctls) w.rec(Tag.SYSCTL, r => r.str(Sub.S_KEY, s.key).str(Sub.S_VALUE, s.value))
  w.num(Tag.HOOK_PAUSE, p.hookPause)
  for (const h of p.containerHooks ?? []) {
    w.rec(Tag.HOOK, r => {
      r.num(Sub.H_PHASE, HOOK_PHASE_CODE[h.phase]).str(Sub.H_PATH, h.path)
      for (const a of h.args) r.str(Sub.H_ARG, a)
      for (const e of h.env) r.str(Sub.H_ENV, e)
      r.num(Sub.H_TIMEOUT, h.timeout)
    })
  }
  for (const d of p.netDevices) w.rec(Tag.NET_DEVICE, r => r.str(Sub.ND_HOST_NAME, d.hostName).str(Sub.ND_NAME, d.name))

  for (const a of p.args) w.str(Tag.ARG, a)
  for (const e of p.env) w.str(Tag.ENV, e)
  w.str(Tag.CWD, p.cwd)
  w.num(Tag.UID, p.uid)
  w.num(Tag.GID, p.gid)
  for (const g of p.additionalGids) w.num(Tag.ADDITIONAL_GID, g)
  if (p.umask !== null) w.num(Tag.UMASK, p.umask)
  for (const rl of p.rlimits) {
    w.rec(Tag.RLIMIT, r => r.num(Sub.R_RESOURCE, rl.resource).num(Sub.R_SOFT, rl.soft).num(Sub.R_HARD, rl.hard))
  }
  const c = p.capabilities
  if (c !== null) {
    w.rec(Tag.CAPS, r =>
      r.num(Sub.C_BOUNDING, c.bounding).num(Sub.C_EFFECTIVE, c.effective).num(Sub.C_PERMITTED, c.permitted)
        .num(Sub.C_INHERITABLE, c.inheritable).num(Sub.C_AMBIENT, c.ambient))
  }
  w.num(Tag.NO_NEW_PRIVS, p.noNewPrivileges)
  if (p.oomScoreAdj !== null) w.num(Tag.OOM_SCORE_ADJ, p.oomScoreAdj)
  w.num(Tag.TERMINAL, p.terminal)
  const cs = p.consoleSize
  if (cs !== null) w.rec(Tag.CONSOLE_SIZE, r => r.num(Sub.CS_HEIGHT, cs.height).num(Sub.CS_WIDTH, cs.width))
  w.num(Tag.PRESERVE_FDS, p.preserveFds)
  w.num(Tag.NEW_KEYRING, p.newKeyring)
  if (p.cpuAffinityInitial !== null) w.str(Tag.CPU_AFFINITY_INITIAL, p.cpuAffinityInitial.join(','))
  if (p.cpuAffinityFinal !== null) w.str(Tag.CPU_AFFINITY_FINAL, p.cpuAffinityFinal.join(','))
  if (p.seccomp !== null) w.raw(Tag.SECCOMP_FILTER, p.seccomp.filter).num(Tag.SECCOMP_FLAGS, p.seccomp.flags)
  if (p.apparmorProfile !== null) w.str(Tag.APPARMOR_PROFILE, p.apparmorProfile)
  if (p.selinuxLabel !== null) w.str(Tag.SELINUX_LABEL, p.selinuxLabel)
  if (p.testStopAt) w.str(Tag.TEST_STOP_AT, p.testStopAt)

  const sc = p.scheduler
  if (sc) {
    w.rec(Tag.SCHEDULER, r =>
      r.num(Sub.SC_POLICY, sc.policy).num(Sub.SC_NICE, sc.nice).num(Sub.SC_PRIORITY, sc.priority).num(Sub.SC_FLAGS, sc.flags)
        .num(Sub.SC_RUNTIME, sc.runtime).num(Sub.SC_DEADLINE, sc.deadline).num(Sub.SC_PERIOD, sc.period))
  }
  if (p.ioPriority != null) w.num(Tag.IO_PRIORITY, p.ioPriority)
  if (p.personality != null) w.num(Tag.PERSONALITY, p.personality)
  const mp = p.memoryPolicy
  if (mp) {
    w.rec(Tag.MEMORY_POLICY, r => {
      r.num(Sub.MP_MODE, mp.mode).num(Sub.MP_FLAGS, mp.flags)
      for (const n of mp.nodes) r.num(Sub.MP_NODE, n)
    })
  }

  return Buffer.concat([Buffer.from(PLAN_MAGIC, 'latin1'), w.bytes()])
}

/** Frame one sync-socket message. */
export function frame(type: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(8)
  h.writeUInt32LE(type, 0)
  h.writeUInt32LE(payload.length, 4)
  return Buffer.concat([h, payload])
}
