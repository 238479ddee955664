// A deterministic mutator of config.json files for the hostile-config fuzz test.
// One seed gives one mutant: the same seed always gives the same text, so a failure is
// reproduced by its seed alone (RUNT_FUZZ_SEED=<seed> RUNT_FUZZ_COUNT=1).
//
// A mutant is a valid config changed in 1-3 places, in its structure (keys dropped,
// added, duplicated; arrays emptied or grown; deep nesting) or its values (huge and
// hostile strings, negative and overflowing numbers, wrong types, paths with ".." and
// NUL, unicode), or in its text (numbers beyond float range, truncation, BOM).

/** mulberry32: a small, fast, well-spread 32-bit PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Path = (string | number)[]

class Rand {
  constructor(readonly next: () => number) {}
  int(n: number): number { return Math.floor(this.next() * n) }
  pick<T>(items: readonly T[]): T { return items[this.int(items.length)] }
}

/** Hostile strings: traversal, NUL, control characters, unicode, names of the host. */
const STRINGS: readonly string[] = [
  '', ' ', '.', '..', '../../../../../..', '/..', '/../../../runtfuzz', 'runtfuzz/../../..',
  '/', '//', '/proc/self/root', '/proc/1/ns/net', '/sys/fs/cgroup', '/dev/null', '/dev/../dev/mem',
  'a\u0000b', '\u0000', '/tmp/\u0000/x', 'line\nbreak', '\t\r', '\u001b[31mred',
  'é漢字🙂', '\u202eevil', '\ud800', '\uffff', 'Ω'.repeat(300),
  '-1', '0x10', '4294967296', 'true', 'null', '%s%n', '$(id)', '; rm -rf /runtfuzz',
  'CAP_SYS_ADMIN', 'CAP_NOT_A_CAP', 'SIGKILL', 'RLIMIT_NOFILE', 'bind', 'rbind', 'ro', 'nosuid,nodev',
  'proc', 'tmpfs', 'sysfs', 'cgroup', 'rslave', 'shared', 'unbindable',
  'pid', 'network', 'user', 'time', 'cgroup', 'mount', 'uts', 'ipc', 'nonsense',
]

/** Numbers at and beyond every boundary a uid, a limit or a flag meets. */
const NUMBERS: readonly number[] = [
  0, -1, 1, -2147483648, 2147483647, 2147483648, -2147483649, 4294967295, 4294967296,
  Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, -Number.MAX_SAFE_INTEGER, 2 ** 63, 2 ** 64, -(2 ** 63),
  1e300, -1e300, 0.5, -0.0001, 1e-300, 65535, 65536, 1024, 99999999,
]

/** What was done, for the failure report. */
export interface Mutant {
  seed: number
  base: string
  mutations: string[]
  text: string
}

/** Every path into the tree (the root too), depth first. */
function allPaths(v: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at)
  if (Array.isArray(v)) v.forEach((x, i) => allPaths(x, [...at, i], out))
  else if (v !== null && typeof v === 'object') for (const k of Object.keys(v)) allPaths(v[k], [...at, k], out)
  return out
}

function get(v: Json, p: Path): Json {
  let cur: Json = v
  for (const k of p) cur = (cur as Record<string | number, Json>)[k]
  return cur
}

function set(root: Json, p: Path, value: Json): Json {
  if (p.length === 0) return value
  const parent = get(root, p.slice(0, -1)) as Record<string | number, Json>
  parent[p[p.length - 1]] = value
  return root
}

function remove(root: Json, p: Path): void {
  const parent = get(root, p.slice(0, -1))
  const key = p[p.length - 1]
  if (Array.isArray(parent)) parent.splice(key as number, 1)
  else delete (parent as Record<string, Json>)[key as string]
}

function pointer(p: Path): string {
  return p.length === 0 ? '(root)' : '/' + p.map(k => String(k).replace(/~/g, '~0').replace(/\//g, '~1')).join('/')
}

/** A short description of a value, without serialising a huge one. */
function describe(v: Json): string {
  if (Array.isArray(v)) return v.length <= 3 && v.every(x => x === null || typeof x !== 'object') ? JSON.stringify(v) : `[array of ${v.length}]`
  if (v !== null && typeof v === 'object') return `{object of ${Object.keys(v).length} keys}`
  const s = JSON.stringify(v)
  return s.length > 40 ? `${s.slice(0, 30)}…(${s.length} chars)` : s
}

function hugeString(r: Rand): string {
  const unit = r.pick(['A', '../', 'é', '🙂', '/a'])
  return unit.repeat(r.pick([4097, 65536, 1 << 18]) / unit.length)
}

// Deep nesting is written into the text at the end (a placeholder stands for it in the
// tree), so neither this mutator nor JSON.stringify has to recurse through it.
const DEEP = '\u0001deep:'

function deepNest(r: Rand): Json {
  return `${DEEP}${r.pick([64, 1000, 100000])}:${r.pick(['[', '{"a":'])}\u0001`
}

function expandDeep(text: string): string {
  return text.replace(/"\\u0001deep:(\d+):(\[|\{\\"a\\":)\\u0001"/g, (_all, n: string, open: string) => {
    const opener = open === '[' ? '[' : '{"a":'
    const closer = open === '[' ? ']' : '}'
    return opener.repeat(Number(n)) + 'null' + closer.repeat(Number(n))
  })
}

/** A replacement value of a wrong or hostile kind for the value `old`. */
function hostileValue(r: Rand, old: Json): [Json, string] {
  switch (r.int(9)) {
    case 0: return [r.pick(STRINGS), 'hostile string']
    case 1: return [hugeString(r), 'huge string']
    case 2: return [r.pick(NUMBERS), 'boundary number']
    case 3: return [r.pick<Json>([null, true, false, [], {}, '', 0, [null], { '': null }]), 'wrong type']
    case 4: return [deepNest(r), 'deep nesting']
    case 5: {
      if (typeof old === 'string') {
        const s = old + r.pick(['/..', '/../../..', '\u0000', '/./.', '漢', '\n'])
        return [s, 'string suffix']
      }
      return [typeof old === 'number' ? -old - 1 : String(old), 'sign/type flip']
    }
    case 6: {
      const small = old === null || typeof old === 'boolean' || typeof old === 'number' || (typeof old === 'string' && old.length < 100)
      return [Array.from({ length: r.pick([1000, 5000]) }, () => (small ? old : r.pick(STRINGS))), 'huge array']
    }
    case 7: return [typeof old === 'number' ? old * 2 ** 32 + 1 : r.pick(NUMBERS), 'overflow']
    default: return [r.pick(STRINGS).repeat(r.pick([2, 50])), 'repeated string']
  }
}

/** One structural or value mutation of the tree; returns the new root and what was done. */
function mutateTree(r: Rand, root: Json): [Json, string] {
  const paths = allPaths(root)
  const p = r.pick(paths)
  const target = get(root, p)
  const kind = r.int(10)
  if (kind <= 4) {
    const [value, what] = hostileValue(r, target)
    return [set(root, p, value), `${pointer(p)} := ${what} ${describe(value)}`]
  }
  if (kind === 5 && p.length > 0) {
    remove(root, p)
    return [root, `${pointer(p)} removed`]
  }
  if (kind === 6 && target !== null && typeof target === 'object' && !Array.isArray(target)) {
    const key = r.pick(['', 'runtfuzz', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '漢字', 'a\u0000b', 'x'.repeat(5000)])
    const [value] = hostileValue(r, null)
    ;(target as Record<string, Json>)[key] = value
    return [root, `${pointer(p)} gets key ${JSON.stringify(key.slice(0, 20))} = ${describe(value)}`]
  }
  if (kind === 7 && Array.isArray(target) && target.length > 0 && target.length < 1000) {
    const item = target[r.int(target.length)]
    const copies = r.pick([1, 2, 100])
    for (let i = 0; i < copies; i++) target.push(JSON.parse(JSON.stringify(item)) as Json)
    return [root, `${pointer(p)} item repeated ${copies}x`]
  }
  if (kind === 8 && target !== null && typeof target === 'object') {
    return [set(root, p, Array.isArray(target) ? [] : {}), `${pointer(p)} emptied`]
  }
  // move a value to a sibling key of another type, to confuse the type of a field
  const other = get(root, r.pick(paths))
  const copy = JSON.parse(JSON.stringify(other ?? null)) as Json
  return [set(root, p, copy), `${pointer(p)} := copy of another node ${describe(copy)}`]
}

/** Mutations of the text itself, after the tree mutations. */
function mutateText(r: Rand, text: string): [string, string] {
  switch (r.int(7)) {
    case 0: {
      // a duplicated key: the first of two "k": entries gets a hostile value
      const keys = [...text.matchAll(/"([A-Za-z]+)":/g)]
      if (keys.length === 0) return [text, 'no key to duplicate']
      const m = r.pick(keys)
      const [value] = hostileValue(r, null)
      const at = m.index ?? 0
      return [text.slice(0, at) + `${JSON.stringify(m[1])}:${JSON.stringify(value)},` + text.slice(at), `key "${m[1]}" duplicated (first = ${describe(value)})`]
    }
    case 1: {
      const nums = [...text.matchAll(/:\s*(\d+)/g)]
      if (nums.length === 0) return [text, 'no number to overflow']
      const m = r.pick(nums)
      const at = (m.index ?? 0) + m[0].length - m[1].length
      const big = r.pick(['1e999', '-1e999', '99999999999999999999999999', '-0', '1.5e3', '0.0000001'])
      return [text.slice(0, at) + big + text.slice(at + m[1].length), `number ${m[1]} -> ${big}`]
    }
    case 2: {
      const at = r.int(text.length)
      return [text.slice(0, at), `truncated at ${at}`]
    }
    case 3: return ['\ufeff' + text, 'byte order mark']
    case 4: return [text + r.pick(['\n}', 'garbage', '\u0000', ' ']), 'trailing text']
    case 5: {
      const strings = [...text.matchAll(/"([^"\\]{1,40})"/g)]
      if (strings.length === 0) return [text, 'no string']
      const m = r.pick(strings)
      const at = m.index ?? 0
      const escape = r.pick(['\\u0000', '\\ud800', '\\u202e', '\\\\..\\/..', '\\x41'])
      return [text.slice(0, at + 1) + escape + text.slice(at + 1), `escape ${escape} into "${m[1]}"`]
    }
    default: return [text, 'text unchanged']
  }
}

/** The mutant of `base` (a parsed config) for `seed`. */
export function mutate(seed: number, baseName: string, base: unknown): Mutant {
  const r = new Rand(prng(seed))
  let tree = JSON.parse(JSON.stringify(base)) as Json
  const mutations: string[] = []
  const n = 1 + r.int(3)
  for (let i = 0; i < n; i++) {
    const [next, what] = mutateTree(r, tree)
    tree = next
    mutations.push(what)
  }
  let text = expandDeep(JSON.stringify(tree, null, 1))
  if (r.int(5) === 0) {
    const [t, what] = mutateText(r, text)
    text = t
    mutations.push(what)
  }
  return { seed, base: baseName, mutations, text }
}
