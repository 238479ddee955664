// What every command receives: the global flags, resolved.

import path from 'node:path'
import { UsageError } from '../errors'

export interface GlobalOptions {
  /** state directory root (--root) */
  root: string
  /** --root was given explicitly (runc then refuses a missing root in `list`) */
  rootGiven: boolean
  /** --log: log file, or undefined for stderr only */
  log?: string
  logFormat: 'text' | 'json'
  debug: boolean
  systemdCgroup: boolean
  rootless: 'true' | 'false' | 'auto'
}

/** runc's default: /run/<name> for root, $XDG_RUNTIME_DIR/<name> for an unprivileged user. */
export function defaultRoot(env: NodeJS.ProcessEnv = process.env, euid = process.geteuid?.() ?? 0): string {
  const xdg = env.XDG_RUNTIME_DIR
  if (euid !== 0 && xdg) return path.join(xdg, 'runt')
  return '/run/runt'
}

export function resolveGlobals(raw: Record<string, unknown>): GlobalOptions {
  const logFormat = String(raw.logFormat ?? 'text')
  if (logFormat !== 'text' && logFormat !== 'json') throw new UsageError(`invalid log-format: ${logFormat}`)
  const rootless = String(raw.rootless ?? 'auto')
  if (rootless !== 'true' && rootless !== 'false' && rootless !== 'auto') {
    throw new UsageError(`invalid --rootless value: ${rootless} (allowed: true, false, auto)`)
  }
  const root = raw.root === undefined ? defaultRoot() : path.resolve(String(raw.root))
  return {
    root,
    rootGiven: raw.root !== undefined,
    log: raw.log === undefined || raw.log === '' ? undefined : path.resolve(String(raw.log)),
    logFormat,
    debug: raw.debug === true,
    systemdCgroup: raw.systemdCgroup === true,
    rootless,
  }
}
