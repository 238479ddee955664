// Where is a JSON text broken? Node 20's JSON.parse names a position for some errors,
// for others only a snippet; this scanner finds the offset of the first error so a
// message can always say "line L, column C". It runs only after JSON.parse failed.

class SyntaxAt extends Error {
  constructor(readonly offset: number) {
    super('JSON syntax error')
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const LITERAL = /true|false|null/y
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y

/** Offset of the first syntax error in `text`, or undefined if the scanner finds none. */
export function syntaxErrorOffset(text: string): number | undefined {
  let i = 0
  const fail = (): never => {
    throw new SyntaxAt(i)
  }
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++
  }
  const expect = (char: string): void => {
    skipSpace()
    if (text[i] !== char) fail()
    i++
  }
  const match = (re: RegExp): boolean => {
    re.lastIndex = i
    if (!re.test(text)) return false
    i = re.lastIndex
    return true
  }
  const string = (): void => {
    expect('"')
    for (;;) {
      const c = text[i]
      if (c === undefined || c < ' ') fail()
      if (c === '"') break
      if (c === '\\') {
        if (!match(ESCAPE)) fail()
      } else i++
    }
    i++
  }
  // a list of items between brackets, separated by commas
  const list = (close: string, item: () => void): void => {
    i++
    skipSpace()
    if (text[i] === close) {
      i++
      return
    }
    for (;;) {
      item()
      skipSpace()
      if (text[i] === close) break
      expect(',')
    }
    i++
  }
  const value = (): void => {
    skipSpace()
    if (text[i] === '{') {
      list('}', () => {
        string()
        expect(':')
        value()
      })
    } else if (text[i] === '[') list(']', value)
    else if (text[i] === '"') string()
    else if (!match(NUMBER) && !match(LITERAL)) fail()
  }
  try {
    value()
    skipSpace()
    if (i < text.length) fail()
    return undefined
  } catch (e) {
    if (e instanceof SyntaxAt) return e.offset
    return undefined // e.g. nesting too deep for the stack: no position then
  }
}

/** "line L, column C" (1-based) of an offset. */
export function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`
}

/** One line for a JSON.parse failure: V8's reason without its snippet, plus where. */
export function describeJsonError(text: string, err: unknown): string {
  const raw = err instanceof Error ? err.message : String(err)
  const position = /at position (\d+)/.exec(raw)
  const reason = raw
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/\s+/g, ' ')
  const offset = syntaxErrorOffset(text) ?? (position ? Number(position[1]) : undefined)
  return offset === undefined ? reason : `${reason} at ${lineAndColumn(text, offset)}`
}
