// The cgroup v2 device filter compiler, run in a small BPF interpreter (only the opcodes
// the compiler emits, with the kernel's semantics) and compared with a direct evaluation
// of the rule list over many device accesses.

import t from 'tap'
import { ACCESS_BIT, DEV_TYPE, OP, compileDeviceRules, deviceFilterProgram, encodeProgram, type Insn } from '../../src/cgroups/device-filter'
import { DEFAULT_ALLOWED_DEVICES, checkDeviceRule, type DeviceRule } from '../../src/cgroups/devices'
import type { DeviceCgroup } from '../../src/spec/types'

interface Query {
  type: 'b' | 'c'
  major: number
  minor: number
  /** the access bits asked for, a non-empty subset of ACCESS_BIT */
  access: number
}

const U64 = (1n << 64n) - 1n
const sext32 = (imm: number): bigint => BigInt.asUintN(64, BigInt(imm))

/** Run a program on one ctx the way the kernel does; throws on anything the verifier or the kernel would not accept. */
function run(program: readonly Insn[], q: Query): number {
  const ctx = [(q.access << 16) | DEV_TYPE[q.type], q.major, q.minor]
  const r: (bigint | undefined)[] = new Array(11).fill(undefined)
  r[1] = -1n // the context pointer: only loads from it are valid
  let pc = 0
  for (let steps = 0; steps < 10_000; steps++) {
    if (pc < 0 || pc >= program.length) throw new Error(`pc ${pc} outside the program`)
    const { code, dst, src, off, imm } = program[pc]
    const reg = (n: number): bigint => {
      const v = r[n]
      if (v === undefined || (n === 1 && v === -1n)) throw new Error(`pc ${pc}: r${n} read before it was written (or is the ctx pointer)`)
      return v
    }
    pc++
    switch (code) {
      case OP.LDX_MEM_W:
        if (src !== 1 || off % 4 !== 0 || off < 0 || off > 8) throw new Error(`bad ctx load at ${pc - 1}`)
        r[dst] = BigInt(ctx[off / 4] >>> 0)
        break
      case OP.MOV64_IMM: r[dst] = sext32(imm); break
      case OP.MOV64_REG: r[dst] = reg(src); break
      case OP.AND64_IMM: r[dst] = reg(dst) & sext32(imm); break
      case OP.RSH64_IMM: r[dst] = (reg(dst) >> BigInt(imm)) & U64; break
      case OP.JNE32_IMM: if ((reg(dst) & 0xffffffffn) !== BigInt(imm >>> 0)) pc += off; break
      case OP.JSET64_IMM: if ((reg(dst) & sext32(imm)) !== 0n) pc += off; break
      case OP.JA: pc += off; break
      case OP.EXIT: return Number(reg(0))
      default: throw new Error(`opcode 0x${code.toString(16)} not expected`)
    }
  }
  throw new Error('no exit')
}

/** The verifier's structural rules: jumps forward and inside, every instruction reachable, the last one ends. Undefined when all hold. */
function shapeProblem(program: readonly Insn[]): string | undefined {
  const reached = new Set<number>()
  const todo = [0]
  while (todo.length) {
    const pc = todo.pop()!
    if (reached.has(pc)) continue
    reached.add(pc)
    const { code, off } = program[pc]
    if (code === OP.EXIT) continue
    const jump = code === OP.JA || code === OP.JNE32_IMM || code === OP.JSET64_IMM
    if (jump && (off < 0 || pc + 1 + off >= program.length)) return `jump at ${pc} to ${pc + 1 + off}`
    if (jump) todo.push(pc + 1 + off)
    if (code !== OP.JA) todo.push(pc + 1)
  }
  if (reached.size !== program.length) return `${program.length - reached.size} unreachable instructions`
  if (program[program.length - 1].code !== OP.EXIT) return 'the last instruction is not exit'
  return undefined
}

/** The meaning, stated directly: per access bit, the last matching rule naming it decides; unnamed bits are allowed. */
function reference(rules: readonly DeviceRule[], q: Query): number {
  for (const [letter, bit] of Object.entries(ACCESS_BIT)) {
    if ((q.access & bit) === 0) continue
    const decider = [...rules].reverse().find(rule =>
      (rule.type === 'a' || rule.type === q.type) &&
      (rule.major === -1 || rule.major === q.major) &&
      (rule.minor === -1 || rule.minor === q.minor) &&
      rule.access.includes(letter))
    if (decider && !decider.allow) return 0
  }
  return 1
}

const MAJORS = [1, 5, 136, 4095]
const MINORS = [0, 3, 5, 1048575]
function allQueries(): Query[] {
  const out: Query[] = []
  for (const type of ['b', 'c'] as const) for (const major of MAJORS) for (const minor of MINORS) for (let access = 1; access <= 7; access++) out.push({ type, major, minor, access })
  return out
}

// a small deterministic generator (no flaky tests)
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}
const pick = <T>(rand: () => number, xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]

function randomRule(rand: () => number): DeviceCgroup {
  const access = pick(rand, ['r', 'w', 'm', 'rw', 'rm', 'wm', 'rwm', 'rwm', 'mwr', undefined])
  return {
    allow: rand() < 0.5,
    type: pick(rand, ['a', 'b', 'c', 'c', undefined]),
    major: pick(rand, [-1, undefined, 1, 5, 136, 4095, 7]),
    minor: pick(rand, [-1, undefined, 0, 3, 5, 1048575, 9]),
    access,
  }
}

const rulesOf = (list: DeviceCgroup[]): DeviceRule[] => list.map(checkDeviceRule)

t.test('the default config (deny all, then runt\'s default devices) allows exactly the default nodes', async t => {
  const rules = rulesOf([{ allow: false, access: 'rwm' }, ...DEFAULT_ALLOWED_DEVICES])
  const program = deviceFilterProgram([{ allow: false, access: 'rwm' }])
  t.equal(shapeProblem(program), undefined, 'a program the verifier accepts')
  const rw = ACCESS_BIT.r | ACCESS_BIT.w
  t.equal(run(program, { type: 'c', major: 1, minor: 3, access: rw }), 1, '/dev/null rw')
  t.equal(run(program, { type: 'c', major: 1, minor: 5, access: rw }), 1, '/dev/zero rw')
  t.equal(run(program, { type: 'c', major: 136, minor: 7, access: rw }), 1, '/dev/pts/7 rw')
  t.equal(run(program, { type: 'c', major: 1, minor: 11, access: ACCESS_BIT.w }), 0, '/dev/kmsg w')
  t.equal(run(program, { type: 'b', major: 8, minor: 0, access: ACCESS_BIT.r }), 0, '/dev/sda r')
  t.equal(run(program, { type: 'b', major: 8, minor: 0, access: ACCESS_BIT.m }), 1, 'mknod of a block node')
  t.equal(run(program, { type: 'b', major: 8, minor: 0, access: ACCESS_BIT.m | ACCESS_BIT.r }), 0, 'mknod plus read of a block node')
  for (const q of allQueries()) if (run(program, q) !== reference(rules, q)) t.fail(`differs from the rules for ${JSON.stringify(q)}`)
  // deny-all is the last rule the program needs: nothing after it is emitted
  t.equal(program[program.length - 1].code, OP.EXIT)
  t.equal(program[program.length - 2].imm, 0, 'ends with the deny-all rule: return 0')
})

t.test('the compiled program agrees with the rule list on every access, for many random lists', async t => {
  const rand = rng(4242)
  const queries = allQueries()
  let compared = 0
  for (let n = 0; n < 400; n++) {
    const length = Math.floor(rand() * 9)
    const rules = rulesOf(Array.from({ length }, () => randomRule(rand)))
    const program = compileDeviceRules(rules)
    const problem = shapeProblem(program)
    if (problem) return void t.fail(`${problem}: ${JSON.stringify(rules)}`)
    for (const q of queries) {
      compared++
      const got = run(program, q)
      if (got !== reference(rules, q)) return void t.fail(`rules ${JSON.stringify(rules)} query ${JSON.stringify(q)}: program ${got}, rules ${reference(rules, q)}`)
    }
  }
  t.pass(`${compared} accesses compared`)
})

t.test('rule semantics, one case each', async t => {
  const c = (major: number, minor: number, access: string): Query => ({ type: 'c', major, minor, access: [...access].reduce((b, ch) => b | ACCESS_BIT[ch as 'r'], 0) })
  const verdict = (list: DeviceCgroup[], q: Query) => run(compileDeviceRules(rulesOf(list)), q)
  t.equal(verdict([], c(1, 5, 'rw')), 1, 'no rules: allowed (a parent filter still applies)')
  t.equal(verdict([{ allow: false }], c(1, 5, 'r')), 0, 'a bare deny is deny all')
  t.equal(verdict([{ allow: false }, { allow: true, type: 'c', major: 1, minor: 5, access: 'r' }], c(1, 5, 'r')), 1, 'an allow after deny all opens one node')
  t.equal(verdict([{ allow: false }, { allow: true, type: 'c', major: 1, minor: 5, access: 'r' }], c(1, 5, 'rw')), 0, 'but only for its access')
  t.equal(verdict([{ allow: true, type: 'c', major: 1, minor: 5 }, { allow: false }], c(1, 5, 'r')), 0, 'the last matching rule wins')
  t.equal(verdict([{ allow: false }, { allow: true, type: 'c', major: 1 }], c(1, 9, 'rwm')), 1, 'a wildcard minor')
  t.equal(verdict([{ allow: false }, { allow: true, type: 'b', major: 1 }], c(1, 9, 'r')), 0, 'another type does not match')
  t.equal(verdict([{ allow: false }, { allow: true, type: 'c', access: 'r' }, { allow: true, type: 'a', major: 1, minor: 9, access: 'w' }], c(1, 9, 'rw')), 1, 'bits allowed by two rules')
  t.equal(verdict([{ allow: false }, { allow: true, type: 'c', access: 'rw' }, { allow: false, type: 'c', major: 1, minor: 9, access: 'w' }], c(1, 9, 'r')), 1, 'a deny of w leaves r alone')
  t.equal(verdict([{ allow: false }, { allow: true, type: 'c', access: 'rw' }, { allow: false, type: 'c', major: 1, minor: 9, access: 'w' }], c(1, 9, 'rw')), 0, 'and refuses rw')
  t.equal(verdict([{ allow: false }, { allow: true, type: 'c', major: 4294967295, minor: 1 }], c(4294967295 as number, 1, 'r')), 1, 'a major of 2^32-1 is compared as u32')
  t.equal(verdict([{ allow: false, type: 'c', major: 2 ** 40 }], c(0, 0, 'r')), 1, 'a major beyond u32 names no device')
})

t.test('invalid rules are refused by their pointer', async t => {
  t.throws(() => deviceFilterProgram([{ allow: true, type: 'x' as 'c' }]), { message: /devices\[0\]\.type: "x"/ })
  t.throws(() => deviceFilterProgram([{ allow: true }, { allow: true, access: 'rr' }]), { message: /devices\[1\]\.access: "rr"/ })
  t.doesNotThrow(() => deviceFilterProgram([{ allow: false, type: 'a', access: 'w' }]), 'an "a" rule with part of rwm is fine on v2')
})

t.test('encoding: struct bpf_insn, little-endian, registers in one byte (dst low nibble)', async t => {
  const bytes = encodeProgram([{ code: OP.LDX_MEM_W, dst: 5, src: 1, off: 4, imm: 0 }, { code: OP.AND64_IMM, dst: 4, src: 0, off: 0, imm: -3 }])
  t.same([...bytes], [0x61, 0x15, 4, 0, 0, 0, 0, 0, 0x57, 0x04, 0, 0, 0xfd, 0xff, 0xff, 0xff])
  t.equal(encodeProgram(deviceFilterProgram([{ allow: false }])).length % 8, 0)
})
