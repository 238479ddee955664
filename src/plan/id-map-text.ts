// The text of a uid_map / gid_map file: one "containerID hostID size" line per mapping.
// The same text is written for the container's user namespace (by the runtime) and for
// the user namespace of an idmapped mount (by the executor).

import type { IdMapping } from './types'

export function idMapText(mappings: readonly IdMapping[]): string {
  return mappings.map(m => `${m.containerID} ${m.hostID} ${m.size}\n`).join('')
}
