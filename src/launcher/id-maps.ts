// uid_map / gid_map of a new user namespace, written by the runtime for its child.

import fs from 'node:fs'
import { systemError } from '../errors'
import { idMapText } from '../plan/id-map-text'
import type { LaunchPlan } from '../plan/types'

function writeProcFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text)
  } catch (err) {
    throw systemError(`write ${file}`, err, { path: file })
  }
}

/** Write the plan's id maps for pid (uid_map, then gid_map; each in one write). */
export function writeIdMaps(pid: number, plan: LaunchPlan): void {
  // an unprivileged writer may map a single gid only after giving up setgroups(2)
  const rootless = process.geteuid?.() !== 0
  if (rootless && plan.uidMappings.length === 1 && plan.gidMappings.length === 1) {
    writeProcFile(`/proc/${pid}/setgroups`, 'deny')
  }
  writeProcFile(`/proc/${pid}/uid_map`, idMapText(plan.uidMappings))
  writeProcFile(`/proc/${pid}/gid_map`, idMapText(plan.gidMappings))
}
