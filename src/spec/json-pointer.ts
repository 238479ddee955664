// JSON pointers (RFC 6901): how every validation problem names the place it is about.

/** Append one property name or array index to a pointer. */
export function pointerTo(base: string, ...tokens: (string | number)[]): string {
  return tokens.reduce<string>((ptr, token) => `${ptr}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`, base)
}

/** The value a pointer designates in `root`, or undefined when it leads nowhere. */
export function valueAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root
  let node = root
  for (const raw of pointer.slice(1).split('/')) {
    if (node === null || typeof node !== 'object') return undefined
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    node = (node as Record<string, unknown>)[token]
  }
  return node
}

/** True when `pointer` is `ancestor` or lies below it. */
export function isWithin(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`)
}

/** The root pointer is the empty string; print it as "/" so a line never starts with ":". */
export function displayPointer(pointer: string): string {
  return pointer === '' ? '/' : pointer
}
