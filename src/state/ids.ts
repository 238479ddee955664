// Container ids, by runc's rule: they name a directory under --root, so nothing that
// could climb out of it (a slash, "." or "..") and nothing a shell or a tool would
// mangle. Callers match the exact message, so it is runc's.

import { ContainerIdError } from '../errors'

const ID_PATTERN = /^[A-Za-z0-9_+.-]+$/
const MAX_ID_BYTES = 1024

export function validateId(id: string): void {
  const ok = typeof id === 'string'
    && ID_PATTERN.test(id)
    && id !== '.' && id !== '..'
    && Buffer.byteLength(id) <= MAX_ID_BYTES
  if (!ok) throw new ContainerIdError('invalid container ID format', { id: typeof id === 'string' ? id : undefined })
}
