// The rules of config.json that the JSON schema cannot express, as one table.
// Each check reads the document defensively (it also runs on documents the schema
// rejected, so one run lists every problem) and returns problems with JSON pointers.
//
// Scopes: runt runs Linux containers only, but the spec's schema fixtures also hold
// FreeBSD, z/OS and Windows configs. A rule about Linux (capability names, rlimit
// names) applies when the config is for Linux: it has a `linux` section, or no section
// of another platform. POSIX rules apply unless it is for Windows. What runt implements
// (ociVersion) matters only when runt is to start the container: the spec's own example
// config declares "0.5.0-dev" and must still pass as a valid document.

import { CAPABILITIES, RLIMITS } from './linux-names'
import { pointerTo } from './json-pointer'
import { show, type Problem } from './problem'

export interface CheckOptions {
  /** the container's process will be started (create, run): process and args are required */
  willStart: boolean
}

type Doc = Record<string, unknown>

type Scope = 'posix' | 'linux' | 'start'

interface Facts {
  posix: boolean
  linux: boolean
  start: boolean
}

interface Rule {
  /** the rule, as the spec (or runt) states it */
  rule: string
  scope: Scope
  check: (subject: Doc, at: string) => Problem[]
}

const CONFIG_RULES: Rule[] = [
  { rule: 'ociVersion is a version runt implements: 1.0.0 to 1.3.x', scope: 'start', check: supportedVersion },
  { rule: 'root is present (the spec requires it on every platform but Windows)', scope: 'linux', check: rootPresent },
  { rule: 'process is present when the container is to be started', scope: 'start', check: processPresent },
  { rule: 'hook paths are absolute', scope: 'posix', check: hookPathsAbsolute },
  { rule: 'mount destinations stay inside the root filesystem (relative ones count from /)', scope: 'linux', check: mountDestinationsInside },
  { rule: 'each id mapping maps at least one id', scope: 'linux', check: mappingSizes },
  { rule: 'each namespace type is listed once', scope: 'linux', check: namespacesUnique },
  { rule: 'namespace paths are absolute', scope: 'linux', check: namespacePathsAbsolute },
  { rule: 'a new user namespace has uid and gid mappings', scope: 'linux', check: userNamespaceMapped },
  { rule: 'uid and gid mappings come with a user namespace', scope: 'linux', check: mappingsNeedUserNamespace },
  { rule: 'device paths are absolute and stay inside the root filesystem', scope: 'linux', check: devicePaths },
  { rule: 'masked and read-only paths are absolute and stay inside the root filesystem', scope: 'linux', check: maskedAndReadonlyPaths },
  { rule: 'sysctl names are not empty', scope: 'linux', check: sysctlNames },
  { rule: 'no string handed to the kernel holds a NUL byte (annotations are only recorded)', scope: 'posix', check: noNulOutsideProcess },
]

const PROCESS_RULES: Rule[] = [
  { rule: 'args names the program when the container is to be started', scope: 'start', check: argsPresent },
  { rule: 'cwd is absolute and stays inside the root filesystem', scope: 'posix', check: cwdAbsolute },
  { rule: 'capability names are Linux capabilities', scope: 'linux', check: capabilityNames },
  { rule: 'rlimit types are Linux rlimits', scope: 'linux', check: rlimitNames },
  { rule: 'each rlimit type is set once', scope: 'posix', check: rlimitsUnique },
  { rule: 'no soft limit is above its hard limit', scope: 'posix', check: softBelowHard },
  { rule: 'no string of the process holds a NUL byte (C strings end there)', scope: 'posix', check: noNul },
]

const OTHER_PLATFORMS = ['windows', 'solaris', 'zos', 'freebsd']

/** Problems of a whole config.json. */
export function configProblems(config: unknown, opts: CheckOptions): Problem[] {
  const doc = asObject(config)
  if (!doc) return []
  const facts: Facts = {
    posix: doc.windows === undefined,
    linux: doc.linux !== undefined || !OTHER_PLATFORMS.some((p) => doc[p] !== undefined),
    start: opts.willStart,
  }
  const problems = runRules(CONFIG_RULES, doc, '', facts)
  const process = asObject(doc.process)
  return process ? problems.concat(runRules(PROCESS_RULES, process, '/process', facts)) : problems
}

/** Problems of a process object on its own (exec's process.json), pointers below `at`. */
export function processProblems(process: unknown, opts: CheckOptions, at = ''): Problem[] {
  const doc = asObject(process)
  return doc ? runRules(PROCESS_RULES, doc, at, { posix: true, linux: true, start: opts.willStart }) : []
}

function runRules(rules: Rule[], subject: Doc, at: string, facts: Facts): Problem[] {
  return rules.filter((r) => facts[r.scope]).flatMap((r) => r.check(subject, at))
}

// --- reading an unchecked document -----------------------------------------------

function asObject(value: unknown): Doc | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Doc) : undefined
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : []
}

/** [pointer, value] of each element of an array-valued property */
function elements(doc: Doc | undefined, key: string, at: string): [string, unknown][] {
  return asArray(doc?.[key]).map((value, i) => [pointerTo(at, key, i), value])
}

/** [pointer, value] of `key` in each object element of an array */
function fieldOfEach(doc: Doc | undefined, arrayKey: string, key: string, at: string): [string, unknown][] {
  return elements(doc, arrayKey, at).flatMap(([ptr, el]) => {
    const obj = asObject(el)
    return obj && obj[key] !== undefined ? [[pointerTo(ptr, key), obj[key]] as [string, unknown]] : []
  })
}

/**
 * The string fields (given as [pointer, value]) whose value appeared before, each with
 * the pointer of the array element holding the first occurrence.
 */
function repeated(fields: [string, unknown][]): [string, string, string][] {
  const first = new Map<string, string>()
  const repeats: [string, string, string][] = []
  for (const [pointer, value] of fields) {
    if (typeof value !== 'string') continue
    const earlier = first.get(value)
    if (earlier === undefined) first.set(value, pointer.slice(0, pointer.lastIndexOf('/')))
    else repeats.push([pointer, value, earlier])
  }
  return repeats
}

// --- paths --------------------------------------------------------------------------

/** Resolving `..` lexically, does the path go above "/"? ("/a/../.." does, "/a/../b" does not) */
function climbsAboveRoot(path: string): boolean {
  let depth = 0
  for (const part of path.split('/')) {
    if (part === '..') depth--
    else if (part !== '' && part !== '.') depth++
    if (depth < 0) return true
  }
  return false
}

const notAbsolute = (pointer: string, path: string): Problem => ({
  pointer,
  text: `${show(path)} is not an absolute path (must start with /)`,
})

const climbs = (pointer: string, path: string): Problem => ({
  pointer,
  text: `${show(path)} climbs above the container's root (".." may not lead above /)`,
})

/** An absolute path that stays inside the container's root, or a problem. */
function containedAbsolute([pointer, path]: [string, unknown]): Problem[] {
  if (typeof path !== 'string') return []
  if (!path.startsWith('/')) return [notAbsolute(pointer, path)]
  return climbsAboveRoot(path) ? [climbs(pointer, path)] : []
}

function absolute([pointer, path]: [string, unknown]): Problem[] {
  return typeof path === 'string' && !path.startsWith('/') ? [notAbsolute(pointer, path)] : []
}

// --- config rules -----------------------------------------------------------------

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/
const SUPPORTED_VERSIONS = 'runt supports 1.0.0 to 1.3.x'

function supportedVersion(doc: Doc): Problem[] {
  const version = doc.ociVersion
  if (typeof version !== 'string') return []
  const m = SEMVER.exec(version)
  if (!m) return [{ pointer: '/ociVersion', text: `${show(version)} is not a SemVer version (${SUPPORTED_VERSIONS})` }]
  const [major, minor] = [Number(m[1]), Number(m[2])]
  return major === 1 && minor <= 3 ? [] : [{ pointer: '/ociVersion', text: `${show(version)} is not supported (${SUPPORTED_VERSIONS})` }]
}

function rootPresent(doc: Doc): Problem[] {
  if (doc.root === undefined) return [{ pointer: '/root', text: 'required property is missing (runt needs the root filesystem)' }]
  const path = asObject(doc.root)?.path
  return path === '' ? [{ pointer: '/root/path', text: '"" is empty (must name the root filesystem directory)' }] : []
}

function processPresent(doc: Doc): Problem[] {
  return doc.process === undefined
    ? [{ pointer: '/process', text: 'required property is missing (a container needs a process to start)' }]
    : []
}

const HOOK_KINDS = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']

function hookPathsAbsolute(doc: Doc): Problem[] {
  const hooks = asObject(doc.hooks)
  return HOOK_KINDS.flatMap((kind) => fieldOfEach(hooks, kind, 'path', '/hooks')).flatMap(absolute)
}

function mountDestinationsInside(doc: Doc): Problem[] {
  return fieldOfEach(doc, 'mounts', 'destination', '').flatMap(([pointer, dest]) =>
    typeof dest === 'string' && climbsAboveRoot(dest.startsWith('/') ? dest : `/${dest}`) ? [climbs(pointer, dest)] : [],
  )
}

function mappingSizes(doc: Doc): Problem[] {
  const linux = asObject(doc.linux)
  const lists: [Doc | undefined, string, string][] = [
    [linux, 'uidMappings', '/linux'],
    [linux, 'gidMappings', '/linux'],
  ]
  for (const [ptr, mount] of elements(doc, 'mounts', '')) {
    lists.push([asObject(mount), 'uidMappings', ptr], [asObject(mount), 'gidMappings', ptr])
  }
  return lists
    .flatMap(([owner, key, at]) => fieldOfEach(owner, key, 'size', at))
    .flatMap(([pointer, size]) => (size === 0 ? [{ pointer, text: '0 maps no ids (must be >= 1)' }] : []))
}

/** Namespace entries of linux.namespaces with their pointers; an empty path means "create new", as in runc. */
function namespaces(doc: Doc): { pointer: string; type: unknown; path?: string }[] {
  return elements(asObject(doc.linux), 'namespaces', '/linux').flatMap(([pointer, el]) => {
    const ns = asObject(el)
    if (!ns) return []
    return [{ pointer, type: ns.type, path: typeof ns.path === 'string' && ns.path !== '' ? ns.path : undefined }]
  })
}

function namespacesUnique(doc: Doc): Problem[] {
  return repeated(namespaces(doc).map((ns) => [`${ns.pointer}/type`, ns.type])).map(([pointer, type, earlier]) => ({
    pointer,
    text: `${show(type)} is already listed at ${earlier} (each namespace type at most once)`,
  }))
}

function namespacePathsAbsolute(doc: Doc): Problem[] {
  return namespaces(doc).flatMap((ns) => (ns.path === undefined ? [] : absolute([`${ns.pointer}/path`, ns.path])))
}

function hasMappings(doc: Doc, key: string): boolean {
  return asArray(asObject(doc.linux)?.[key]).length > 0
}

const MAPPING_KINDS = [
  ['uidMappings', 'uid'],
  ['gidMappings', 'gid'],
] as const

function userNamespaceMapped(doc: Doc): Problem[] {
  const created = namespaces(doc).find((ns) => ns.type === 'user' && ns.path === undefined)
  if (!created) return []
  return MAPPING_KINDS.filter(([key]) => !hasMappings(doc, key)).map(([key, id]) => ({
    pointer: `/linux/${key}`,
    text: `missing or empty (the new user namespace at ${created.pointer} needs at least one ${id} mapping)`,
  }))
}

function mappingsNeedUserNamespace(doc: Doc): Problem[] {
  if (namespaces(doc).some((ns) => ns.type === 'user')) return []
  return MAPPING_KINDS.filter(([key]) => hasMappings(doc, key)).map(([key]) => ({
    pointer: `/linux/${key}`,
    text: 'given without a user namespace (add {"type": "user"} to /linux/namespaces)',
  }))
}

function devicePaths(doc: Doc): Problem[] {
  return fieldOfEach(asObject(doc.linux), 'devices', 'path', '/linux').flatMap(containedAbsolute)
}

function maskedAndReadonlyPaths(doc: Doc): Problem[] {
  const linux = asObject(doc.linux)
  return [...elements(linux, 'maskedPaths', '/linux'), ...elements(linux, 'readonlyPaths', '/linux')].flatMap(containedAbsolute)
}

function sysctlNames(doc: Doc): Problem[] {
  const sysctl = asObject(asObject(doc.linux)?.sysctl)
  return sysctl && '' in sysctl
    ? [{ pointer: pointerTo('/linux/sysctl', ''), text: '"" is not a sysctl name (keys look like net.ipv4.ip_forward)' }]
    : []
}

// --- process rules ----------------------------------------------------------------

function argsPresent(process: Doc, at: string): Problem[] {
  const pointer = pointerTo(at, 'args')
  if (process.args === undefined) return [{ pointer, text: 'required property is missing (must name the program to start)' }]
  return Array.isArray(process.args) && process.args.length === 0 ? [{ pointer, text: '[] is empty (must name the program to start)' }] : []
}

function cwdAbsolute(process: Doc, at: string): Problem[] {
  return containedAbsolute([pointerTo(at, 'cwd'), process.cwd])
}

const CAPABILITY_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient']
const KNOWN_CAPABILITIES = new Set(CAPABILITIES)

function capabilityNames(process: Doc, at: string): Problem[] {
  const caps = asObject(process.capabilities)
  const capsAt = pointerTo(at, 'capabilities')
  return CAPABILITY_SETS.flatMap((set) => elements(caps, set, capsAt)).flatMap(([pointer, name]) =>
    typeof name === 'string' && !KNOWN_CAPABILITIES.has(name)
      ? [{ pointer, text: `${show(name)} is not a Linux capability (allowed: ${CAPABILITIES[0]} … ${CAPABILITIES[CAPABILITIES.length - 1]}, see capabilities(7))` }]
      : [],
  )
}

function rlimitNames(process: Doc, at: string): Problem[] {
  return fieldOfEach(process, 'rlimits', 'type', at).flatMap(([pointer, type]) =>
    typeof type === 'string' && !(type in RLIMITS)
      ? [{ pointer, text: `${show(type)} is not a Linux rlimit (allowed: ${Object.keys(RLIMITS).join(', ')})` }]
      : [],
  )
}

function rlimitsUnique(process: Doc, at: string): Problem[] {
  return repeated(fieldOfEach(process, 'rlimits', 'type', at)).map(([pointer, type, earlier]) => ({
    pointer,
    text: `${show(type)} is already set at ${earlier} (each rlimit type at most once)`,
  }))
}

const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0

function softBelowHard(process: Doc, at: string): Problem[] {
  return elements(process, 'rlimits', at).flatMap(([pointer, el]) => {
    const rlimit = asObject(el)
    const [soft, hard] = [rlimit?.soft, rlimit?.hard]
    // a limit the schema rejects (negative, fractional) is reported there, not compared here
    return isCount(soft) && isCount(hard) && soft > hard
      ? [{ pointer: `${pointer}/soft`, text: `${soft} is above the hard limit (must be <= ${hard})` }]
      : []
  })
}

// --- NUL bytes ---------------------------------------------------------------------

/**
 * Strings holding "\u0000" (in keys too), with their pointers. A C string ends at its
 * first NUL, so such a path, argument or label would silently mean something shorter.
 * Iterative, and only as deep as a config's fields go: a hostile document may nest
 * deeper than the call stack, and than anything runt reads.
 */
const NUL_CHECK_DEPTH = 16

function noNul(subject: Doc, at: string, skip: readonly string[] = []): Problem[] {
  const problems: Problem[] = []
  const stack: [unknown, string, number][] = Object.entries(subject)
    .filter(([key]) => !skip.includes(key))
    .map(([key, value]) => [value, pointerTo(at, key), 1])
  while (stack.length > 0) {
    const [value, pointer, depth] = stack.pop() as [unknown, string, number]
    if (pointer.includes('\u0000')) problems.push({ pointer, text: 'the name holds a NUL byte (not allowed in a string passed to the kernel)' })
    if (typeof value === 'string') {
      if (value.includes('\u0000')) problems.push({ pointer, text: `${show(value)} holds a NUL byte (not allowed in a string passed to the kernel)` })
    } else if (value !== null && typeof value === 'object' && depth < NUL_CHECK_DEPTH) {
      for (const [key, inner] of Object.entries(value)) stack.push([inner, pointerTo(pointer, key), depth + 1])
    }
  }
  return problems.reverse()
}

function noNulOutsideProcess(doc: Doc): Problem[] {
  return noNul(doc, '', ['annotations', 'process'])
}
