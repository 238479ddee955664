// The OCI state document a hook reads on its stdin (runtime-spec runtime.md "State").
// Field order and omissions follow runc's Go struct (pid and annotations are omitempty),
// so a hook sees the same bytes under runt as under runc.

import type { ContainerRecord } from '../state/store'

export interface HookState {
  ociVersion: string
  id: string
  /** "creating" | "created" | "running" | "stopped" at the points hooks run */
  status: string
  pid?: number
  /** absolute bundle path */
  bundle: string
  annotations?: Record<string, string>
}

/** The state as JSON with keys in spec order; pid left out when 0/absent, annotations when empty. */
export function hookStateJson(state: HookState): string {
  const hasAnnotations = state.annotations !== undefined && Object.keys(state.annotations).length > 0
  return JSON.stringify({
    ociVersion: state.ociVersion,
    id: state.id,
    status: state.status,
    ...(state.pid ? { pid: state.pid } : {}),
    bundle: state.bundle,
    ...(hasAnnotations ? { annotations: state.annotations } : {}),
  })
}

/** The hook state of a recorded container; pass pid 0 (or omit it) once the init is gone. */
export function stateForHooks(
  rec: Pick<ContainerRecord, 'ociVersion' | 'id' | 'bundle' | 'annotations'>,
  status: string,
  pid?: number,
): HookState {
  return { ociVersion: rec.ociVersion, id: rec.id, status, pid, bundle: rec.bundle, annotations: rec.annotations }
}
