// linux.resources.devices -> a cgroup v2 device filter: a BPF_PROG_TYPE_CGROUP_DEVICE
// program (pure). The kernel runs it on every open and mknod of a device node by a
// process of the group, with ctx = { access_type: access << 16 | type, major, minor },
// and allows the access when it returns 1.
//
// Meaning of the rule list (the config's rules, then DEFAULT_ALLOWED_DEVICES, as on v1):
// for each access bit asked for (r, w, m), the LAST rule that matches the device (type,
// major, minor; "a" and -1 are wildcards) and names that bit decides it; the access is
// allowed when every bit asked for is. A bit no rule names is allowed: the group then
// behaves like a new v1 group, which starts with its parent's (allow-all) list, and any
// filter of a parent group still applies. A leading {"allow": false} (deny all) therefore
// makes the list a white list, exactly as runc's default config means it.
//
// The program walks the rules from the last to the first, keeping the bits not decided
// yet in a register: a matching allow rule clears its bits (all decided: return 1), a
// matching deny rule that names an undecided bit returns 0.

import { DEFAULT_ALLOWED_DEVICES, checkDeviceRule, type DeviceRule } from './devices'
import type { DeviceCgroup } from '../spec/types'

// struct bpf_cgroup_dev_ctx (include/uapi/linux/bpf.h): three u32 fields
const CTX_ACCESS_TYPE = 0
const CTX_MAJOR = 4
const CTX_MINOR = 8
/** BPF_DEVCG_DEV_* (the low 16 bits of access_type) */
export const DEV_TYPE = { b: 1, c: 2 } as const
/** BPF_DEVCG_ACC_* (access_type >> 16) */
export const ACCESS_BIT = { m: 1, r: 2, w: 4 } as const
const ALL_ACCESS = 7

/** The opcodes the compiler emits (include/uapi/linux/bpf.h, bpf_common.h). */
export const OP = {
  LDX_MEM_W: 0x61, // dst = *(u32 *)(src + off)
  MOV64_IMM: 0xb7, // dst = imm
  MOV64_REG: 0xbf, // dst = src
  AND64_IMM: 0x57, // dst &= imm (sign-extended)
  RSH64_IMM: 0x77, // dst >>= imm
  JNE32_IMM: 0x56, // if (u32)dst != (u32)imm goto pc + 1 + off
  JSET64_IMM: 0x45, // if dst & imm goto pc + 1 + off
  JA: 0x05, // goto pc + 1 + off
  EXIT: 0x95, // return r0
} as const

export interface Insn {
  code: number
  dst: number
  src: number
  off: number
  imm: number
}

// registers: r1 ctx; r3 device type; r4 access bits not decided yet; r5 major; r6 minor
const R_CTX = 1
const R_TMP = 2
const R_TYPE = 3
const R_PENDING = 4
const R_MAJOR = 5
const R_MINOR = 6

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm })

function accessBits(access: string): number {
  let bits = 0
  for (const ch of access) bits |= ACCESS_BIT[ch as keyof typeof ACCESS_BIT]
  return bits
}

const PROLOGUE: readonly Insn[] = [
  insn(OP.LDX_MEM_W, R_TMP, R_CTX, CTX_ACCESS_TYPE, 0),
  insn(OP.MOV64_REG, R_TYPE, R_TMP, 0, 0),
  insn(OP.AND64_IMM, R_TYPE, 0, 0, 0xffff),
  insn(OP.MOV64_REG, R_PENDING, R_TMP, 0, 0),
  insn(OP.RSH64_IMM, R_PENDING, 0, 0, 16),
  insn(OP.LDX_MEM_W, R_MAJOR, R_CTX, CTX_MAJOR, 0),
  insn(OP.LDX_MEM_W, R_MINOR, R_CTX, CTX_MINOR, 0),
]

const returning = (value: 0 | 1): Insn[] => [insn(OP.MOV64_IMM, 0, 0, 0, value), insn(OP.EXIT, 0, 0, 0, 0)]

// Majors and minors are u32 in the context; a number beyond that names no device.
const U32_MAX = 0xffffffff
const asImm32 = (n: number): number => n | 0

/**
 * One rule's instructions, and whether they always return (the rule matches every
 * device and decides every bit left: nothing before it in the list can matter).
 * A jump written with off = SKIP goes past the end of the block.
 */
function ruleBlock(rule: DeviceRule): { code: Insn[]; final: boolean } | undefined {
  if (rule.major > U32_MAX || rule.minor > U32_MAX) return undefined
  const SKIP = NaN
  const code: Insn[] = []
  if (rule.type !== 'a') code.push(insn(OP.JNE32_IMM, R_TYPE, 0, SKIP, DEV_TYPE[rule.type]))
  if (rule.major >= 0) code.push(insn(OP.JNE32_IMM, R_MAJOR, 0, SKIP, asImm32(rule.major)))
  if (rule.minor >= 0) code.push(insn(OP.JNE32_IMM, R_MINOR, 0, SKIP, asImm32(rule.minor)))
  const bits = accessBits(rule.access)
  const matchesAll = code.length === 0
  let final = false
  if (rule.allow && bits === ALL_ACCESS) {
    code.push(...returning(1))
    final = matchesAll
  } else if (rule.allow) {
    // clear the bits this rule allows; nothing left to decide: allowed
    code.push(insn(OP.AND64_IMM, R_PENDING, 0, 0, ~bits), insn(OP.JSET64_IMM, R_PENDING, 0, SKIP, ALL_ACCESS), ...returning(1))
  } else if (bits === ALL_ACCESS) {
    code.push(...returning(0))
    final = matchesAll
  } else {
    // deny when an undecided bit is one this rule names
    code.push(insn(OP.JSET64_IMM, R_PENDING, 0, 1, bits), insn(OP.JA, 0, 0, SKIP, 0), ...returning(0))
  }
  const resolved = code.map((ins, i) => (Number.isNaN(ins.off) ? { ...ins, off: code.length - i - 1 } : ins))
  return { code: resolved, final }
}

/** The program for a list of checked rules: instructions in the order the kernel runs them. */
export function compileDeviceRules(rules: readonly DeviceRule[]): Insn[] {
  const program = [...PROLOGUE]
  for (let i = rules.length - 1; i >= 0; i--) {
    const block = ruleBlock(rules[i])
    if (!block) continue
    program.push(...block.code)
    if (block.final) return program
  }
  return [...program, ...returning(1)]
}

/** The filter for linux.resources.devices: the config's rules, then the default allowed devices. */
export function deviceFilterProgram(configRules: readonly DeviceCgroup[]): Insn[] {
  return compileDeviceRules([...configRules, ...DEFAULT_ALLOWED_DEVICES].map(checkDeviceRule))
}

/** struct bpf_insn bytes (little-endian, as on every host runt builds for). */
export function encodeProgram(program: readonly Insn[]): Buffer {
  const buf = Buffer.alloc(program.length * 8)
  program.forEach((ins, i) => {
    buf.writeUInt8(ins.code, i * 8)
    buf.writeUInt8((ins.src << 4) | ins.dst, i * 8 + 1)
    buf.writeInt16LE(ins.off, i * 8 + 2)
    buf.writeInt32LE(ins.imm, i * 8 + 4)
  })
  return buf
}
