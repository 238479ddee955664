// One validation problem = one line: `<JSON pointer>: <what was wrong> (<what is allowed>)`.

import { displayPointer } from './json-pointer'

export interface Problem {
  /** where, as a JSON pointer into the validated document */
  pointer: string
  /** what was wrong and, in parentheses, what is allowed */
  text: string
}

export function problemLine(p: Problem): string {
  return `${displayPointer(p.pointer)}: ${p.text}`
}

const MAX_SHOWN = 60

/** A value as it appears in a problem line: JSON for scalars, short markers for containers. */
export function show(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '[]' : '[…]'
  if (value !== null && typeof value === 'object') return '{…}'
  if (value === undefined) return 'nothing'
  const json = JSON.stringify(value)
  return json.length > MAX_SHOWN ? `${json.slice(0, MAX_SHOWN - 2)}…"` : json
}

/** The JSON kind of a value, with its article: "a string", "an array", "null". */
export function kindOf(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number'
  if (typeof value === 'object') return 'an object'
  return withArticle(typeof value)
}

export function withArticle(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`
}
