// Turn the errors of a precompiled ajv validator into problem lines a person can act on.
// ajv reports keyword + params + where (instancePath) + which rule (schemaPath); the
// value itself is read back from the document, so the validators need no `verbose` mode.

import { isWithin, pointerTo, valueAt } from './json-pointer'
import { kindOf, show, withArticle, type Problem } from './problem'

/** The error objects of ajv's generated code (messages are off, see scripts/build-validators.mjs). */
export interface SchemaError {
  instancePath: string
  schemaPath: string
  keyword: string
  params: Record<string, unknown>
}

/** A standalone validator as schemas/validators.js exports it. */
export type SchemaValidator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null }

/** Readable descriptions of the schemas' patterns; any other pattern is shown as it is. */
const PATTERN_HINTS: Readonly<Record<string, string>> = {
  '^[1-9][0-9]*[KMG]B$': 'a size like 64KB, 2MB or 1GB',
  '^RLIMIT_[A-Z]+$': 'RLIMIT_ and capital letters, e.g. RLIMIT_NOFILE',
  '^[cbup]$': 'one of c, b, u, p',
  '^[0-9, -]*$': 'CPU numbers and ranges, e.g. 0-3,7',
  '^MB:[^\\n]*$': 'a single line starting with MB:',
  '^CAP_[A-Z_]+$': 'CAP_ and capital letters, e.g. CAP_KILL',
}

/** Number limits of the schemas that doubles cannot print exactly. */
const EXACT_LIMITS = new Map<number, string>([
  [2 ** 64, '18446744073709551615'],
  [2 ** 63, '9223372036854775807'],
  [-(2 ** 63), '-9223372036854775808'],
])

const COMPOUND = new Set(['anyOf', 'oneOf'])

/** Problems for the errors ajv reported on `document`. */
export function schemaProblems(errors: readonly SchemaError[], document: unknown): Problem[] {
  return collapseAlternatives(errors).map((error) => describe(error, document))
}

/** The pointer an error is really about: for a missing or unknown property, the property itself. */
function subject(error: SchemaError): string {
  const property = error.params.missingProperty ?? error.params.additionalProperty
  return typeof property === 'string' ? pointerTo(error.instancePath, property) : error.instancePath
}

function depth(pointer: string): number {
  return pointer.split('/').length
}

/**
 * ajv reports an anyOf/oneOf failure as the failure of every alternative plus one error
 * for the group. Keep one line per group: the deepest error inside it, which names the
 * property that actually needs fixing. Inner groups first, so an outer group sees their
 * outcome.
 */
function collapseAlternatives(errors: readonly SchemaError[]): SchemaError[] {
  let kept = errors.filter((e) => !COMPOUND.has(e.keyword))
  const groups = errors.filter((e) => COMPOUND.has(e.keyword)).sort((a, b) => depth(b.instancePath) - depth(a.instancePath))
  for (const group of groups) {
    const members = kept.filter((e) => isWithin(subject(e), group.instancePath))
    if (members.length === 0) {
      kept.push(group)
      continue
    }
    const deepest = members.reduce((best, e) => (depth(subject(e)) > depth(subject(best)) ? e : best))
    kept = kept.filter((e) => e === deepest || !members.includes(e))
  }
  return dedupe(kept)
}

function dedupe(errors: SchemaError[]): SchemaError[] {
  const seen = new Set<string>()
  return errors.filter((e) => {
    const key = `${subject(e)}\0${e.keyword}\0${JSON.stringify(e.params)}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

/**
 * "NamespaceType" -> "a namespace type", from the schema definition the rule sits in
 * ("SharingModeNoDisable" is a restricted "sharing mode").
 */
function definitionNoun(schemaPath: string): string | undefined {
  const name = /\/definitions\/([A-Za-z0-9]+)\/[^/]+$/.exec(schemaPath)?.[1]?.replace(/No[A-Z].*$/, '')
  if (!name) return undefined
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().replace(/([^s])s$/, '$1')
  return withArticle(words)
}

function limit(value: unknown): string {
  return typeof value === 'number' ? (EXACT_LIMITS.get(value) ?? String(value)) : String(value)
}

function size(value: unknown): number {
  // ajv counts a string's length in code points
  return typeof value === 'string' ? [...value].length : Array.isArray(value) ? value.length : 0
}

function plural(n: unknown, noun: string): string {
  return `${String(n)} ${noun}${n === 1 ? '' : 's'}`
}

function describe(error: SchemaError, document: unknown): Problem {
  const pointer = subject(error)
  const value = valueAt(document, error.instancePath)
  const shown = show(value)
  const p = error.params
  const text = ((): string => {
    switch (error.keyword) {
      case 'required':
        return 'required property is missing'
      case 'type': {
        const types = (Array.isArray(p.type) ? p.type : String(p.type).split(',')).map((t) => withArticle(String(t)))
        const wrong = value === null ? 'null is not allowed here' : `${shown} is ${kindOf(value)}`
        return `${wrong} (must be ${types.join(' or ')})`
      }
      case 'enum':
        return `${shown} is not ${definitionNoun(error.schemaPath) ?? 'an allowed value'} (allowed: ${(p.allowedValues as unknown[]).map(String).join(', ')})`
      case 'pattern': {
        const pattern = String(p.pattern)
        return `${shown} does not have the required form (must be ${PATTERN_HINTS[pattern] ?? `a string matching ${pattern}`})`
      }
      case 'minimum':
      case 'exclusiveMinimum':
        return `${shown} is below the minimum (must be ${String(p.comparison)} ${limit(p.limit)})`
      case 'maximum':
      case 'exclusiveMaximum':
        return `${shown} is above the maximum (must be ${String(p.comparison)} ${limit(p.limit)})`
      case 'minItems':
        return `${shown} has ${plural(size(value), 'item')} (must have at least ${String(p.limit)})`
      case 'maxItems':
        return `${shown} has ${plural(size(value), 'item')} (must have at most ${String(p.limit)})`
      case 'minLength':
        return `${shown} has ${plural(size(value), 'character')} (must have at least ${String(p.limit)})`
      case 'maxLength':
        return `${shown} has ${plural(size(value), 'character')} (must have at most ${String(p.limit)})`
      case 'additionalProperties':
        return 'unknown property (not allowed here)'
      case 'uniqueItems':
        return `items ${String(p.j)} and ${String(p.i)} are equal (items must be unique)`
      case 'anyOf':
        return `${shown} matches none of the allowed forms (see the runtime-spec for this field)`
      case 'oneOf':
        return `${shown} matches ${p.passingSchemas ? 'more than one' : 'none'} of the allowed forms (must match exactly one)`
      default:
        return `${shown} breaks the schema's "${error.keyword}" rule (see the runtime-spec for this field)`
    }
  })()
  return { pointer, text }
}
