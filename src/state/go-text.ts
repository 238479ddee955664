// Text encodings as Go's standard library writes them, for output that tools written
// in Go (containerd, CRI-O, podman) or people comparing with runc read byte for byte.

/**
 * encoding/json: like JSON.stringify, plus Go's HTML-safe escapes of <, > and & and of
 * the JavaScript line terminators U+2028/U+2029 (these characters only ever occur
 * inside strings, so replacing them in the whole text is safe).
 */
export function goJson(value: unknown, indent?: string): string {
  return JSON.stringify(value, null, indent).replace(/[<>&\u2028\u2029]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

const NAMED_ESCAPES: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"',
}

/**
 * strconv.Quote (fmt's %q): double quotes, backslash escapes for control characters,
 * \u for other characters Go does not consider printable (format, separator, private).
 */
export function goQuote(text: string): string {
  let out = '"'
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0
    if (NAMED_ESCAPES[ch] !== undefined) out += NAMED_ESCAPES[ch]
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`
    else if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) out += cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`
    else out += ch
  }
  return out + '"'
}

export interface TabwriterOptions {
  /** minimal cell width, padding included */
  minWidth: number
  /** added to the widest cell of a column */
  padding: number
}

/**
 * text/tabwriter with a space pad character and no flags: cells end at '\t'; the text
 * after a line's last tab is not part of any column. A column block is a run of
 * consecutive lines that have a cell in that column; each block is as wide as its
 * widest cell plus padding, at least minWidth. A line without any tab ends every
 * block (the writer flushes there). Widths count Unicode code points, as Go counts runes.
 */
export function tabwriter(text: string, opts: TabwriterOptions): string {
  const lines = text.split('\n') // the last element is the (possibly empty) unterminated tail
  let out = ''
  let start = 0
  for (let i = 0; i < lines.length; i++) {
    const isLast = i === lines.length - 1
    if (isLast || !lines[i].includes('\t')) {
      // Go flushes the buffered lines when a line with a single cell is terminated
      const segment = lines.slice(start, i + 1).map(l => l.split('\t'))
      out += formatBlock(segment, [], 0, segment.length, opts).join('\n')
      if (!isLast) out += '\n'
      start = i + 1
    }
  }
  return out
}

/** Go's Writer.format: lay out lines [from, to) whose columns left of widths.length are fixed. */
function formatBlock(lines: string[][], widths: number[], from: number, to: number, opts: TabwriterOptions): string[] {
  const out: string[] = []
  const column = widths.length
  let blockStart = from
  for (let i = from; i < to; i++) {
    if (column >= lines[i].length - 1) continue
    // lines before i have no cell in this column: they are final
    for (let j = blockStart; j < i; j++) out.push(renderLine(lines[j], widths))
    let width = opts.minWidth
    let end = i
    while (end < to && column < lines[end].length - 1) {
      width = Math.max(width, runeCount(lines[end][column]) + opts.padding)
      end++
    }
    out.push(...formatBlock(lines, [...widths, width], i, end, opts))
    blockStart = end
    i = end - 1
  }
  for (let j = blockStart; j < to; j++) out.push(renderLine(lines[j], widths))
  return out
}

function renderLine(cells: string[], widths: number[]): string {
  return cells.map((cell, j) => (j < widths.length ? cell + ' '.repeat(Math.max(0, widths[j] - runeCount(cell))) : cell)).join('')
}

function runeCount(s: string): number {
  let n = 0
  for (const _ of s) n++
  return n
}
