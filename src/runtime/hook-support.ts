// Hooks that must run inside the container's namespaces (createContainer,
// startContainer) need an in-container spawn that runt does not have yet. Refuse
// them clearly instead of skipping them silently.

import { ConfigError } from '../errors'
import type { Spec } from '../spec/types'

export function refuseContainerNamespaceHooks(spec: Spec): void {
  const problems: string[] = []
  for (const phase of ['createContainer', 'startContainer'] as const) {
    if ((spec.hooks?.[phase]?.length ?? 0) > 0) {
      problems.push(`/hooks/${phase}: not supported yet (runt cannot run hooks inside the container's namespaces)`)
    }
  }
  if (problems.length > 0) throw new ConfigError(problems)
}
