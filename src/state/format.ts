// What `state` and `list` print, byte for byte as runc prints it: callers decode it
// (CRI-O, runtime-tools) and people diff it against runc's.

import fs from 'node:fs'
import type { ContainerRecord } from './store'
import type { Status } from './status'
import { goJson, tabwriter } from './go-text'

/** One container as `state` and `list` show it; the key order is the output order. */
export interface ListEntry {
  ociVersion: string
  id: string
  /** 0 when stopped */
  pid: number
  status: Status
  bundle: string
  rootfs: string
  created: string
  /** left out when empty */
  annotations?: Record<string, string>
  /** "" for `state`; the state directory owner's name (or #uid) for `list` */
  owner: string
}

export function stateEntry(rec: ContainerRecord, status: Status, owner = ''): ListEntry {
  const hasAnnotations = rec.annotations !== undefined && Object.keys(rec.annotations).length > 0
  return {
    ociVersion: rec.ociVersion,
    id: rec.id,
    pid: status === 'stopped' ? 0 : rec.initPid,
    status,
    bundle: rec.bundle,
    rootfs: rec.rootfs,
    created: rec.created,
    ...(hasAnnotations ? { annotations: rec.annotations } : {}),
    owner,
  }
}

/** `runt state`: two-space indented JSON, no trailing newline. */
export function formatState(rec: ContainerRecord, status: Status): string {
  return goJson(stateEntry(rec, status), '  ')
}

/** `runt list` in its three shapes; every shape ends with a newline except an empty quiet list. */
export function formatList(entries: readonly ListEntry[], format: 'table' | 'json', quiet: boolean): string {
  if (quiet) return entries.map(e => `${e.id}\n`).join('')
  if (format === 'json') return `${entries.length === 0 ? 'null' : goJson(entries)}\n`
  const rows = entries.map(e => [e.id, String(e.pid), e.status, e.bundle, e.created, e.owner].join('\t'))
  return tabwriter(['ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER', ...rows].join('\n') + '\n', { minWidth: 12, padding: 3 })
}

/** The user name for a uid from /etc/passwd, or "#<uid>" when there is none (as runc's list). */
export function userName(uid: number, passwdFile = '/etc/passwd'): string {
  let text = ''
  try {
    text = fs.readFileSync(passwdFile, 'utf8')
  } catch {
    // no passwd database: fall back to the number
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':')
    if (id !== undefined && name && Number(id) === uid && id.trim() !== '') return name
  }
  return `#${uid}`
}

/** Owner shown by `list`: whoever owns the container's state directory. */
export function stateDirOwner(dir: string, passwdFile?: string): string {
  return userName(fs.statSync(dir).uid, passwdFile)
}
