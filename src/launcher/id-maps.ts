// uid_map / gid_map of a new user namespace, written by the runtime for its child.
//
// An unprivileged runtime may write one mapping of its own id only. Anything more
// (several ranges, or ids of /etc/subuid) goes through the setuid helpers newuidmap and
// newgidmap (Debian's `uidmap`), which check /etc/subuid and /etc/subgid: as runc does,
// the map is written directly first and the helper is used when that is refused (EPERM).

import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { RuntError, systemError } from '../errors'
import { idMapText } from '../plan/id-map-text'
import type { IdMapping, LaunchPlan } from '../plan/types'

function writeProcFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text)
  } catch (err) {
    throw systemError(`write ${file}`, err, { path: file })
  }
}

/** The helper program by name in PATH, else in /usr/bin; undefined when there is none. */
function findHelper(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(':').filter(d => d.startsWith('/')), '/usr/bin']
  for (const dir of dirs) {
    const file = path.join(dir, name)
    try {
      fs.accessSync(file, fs.constants.X_OK)
      return file
    } catch { /* next */ }
  }
  return undefined
}

/** The helper's argument list: pid, then "inside outside count" per mapping. */
export function helperArgs(pid: number, mappings: IdMapping[]): string[] {
  return [String(pid), ...mappings.flatMap(m => [String(m.containerID), String(m.hostID), String(m.size)])]
}

function writeMap(pid: number, kind: 'uid' | 'gid', mappings: IdMapping[]): void {
  const file = `/proc/${pid}/${kind}_map`
  try {
    fs.writeFileSync(file, idMapText(mappings))
    return
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM' || process.geteuid?.() === 0) throw systemError(`write ${file}`, err, { path: file })
  }
  const name = `new${kind}map`
  const helper = findHelper(name)
  if (!helper) {
    throw new RuntError(`write ${file}: EPERM: an unprivileged user may map only its own ${kind}; more needs ${name} (Debian package uidmap) and an entry in /etc/sub${kind}`, { path: file, errno: 'EPERM' })
  }
  const r = spawnSync(helper, helperArgs(pid, mappings), { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
  if (r.status !== 0) {
    const why = (r.stderr ?? '').trim().split('\n').pop() || (r.error ? String(r.error.message) : `exit status ${r.status}`)
    throw new RuntError(`${name} ${helperArgs(pid, mappings).join(' ')}: ${why}`, { path: helper })
  }
}

/** Write the plan's id maps for pid (uid_map, then gid_map; each in one write). */
export function writeIdMaps(pid: number, plan: LaunchPlan): void {
  // an unprivileged writer may map a single gid only after giving up setgroups(2);
  // with newgidmap (several ranges) setgroups stays allowed
  const rootless = process.geteuid?.() !== 0
  if (rootless && plan.uidMappings.length === 1 && plan.gidMappings.length === 1 && plan.gidMappings[0].size === 1) {
    writeProcFile(`/proc/${pid}/setgroups`, 'deny')
  }
  writeMap(pid, 'uid', plan.uidMappings)
  writeMap(pid, 'gid', plan.gidMappings)
}
