// runt update <id>: change a live container's resource limits, from a LinuxResources
// JSON (--resources FILE, or - for stdin) or from runc's individual flags. The new
// limits are applied through the cgroup manager, then recorded (atomically) so that
// later updates and `state` start from them.

import fs from 'node:fs'
import { ConfigError, RuntError, StatusError, systemError } from '../errors'
import type { GlobalOptions } from './context'
import { withContainer } from '../runtime/container'
import { containerCgroupManager } from '../runtime/container-cgroups'
import { mergeResources, resourcesFromFlags } from '../cgroups/update'
import { describeJsonError } from '../spec/json-syntax'
import type { Resources } from '../spec/types'
import { callerStdin } from '../sys/caller'

function readResources(source: string): Resources {
  const name = source === '-' ? 'stdin' : source
  let text: string
  try {
    text = fs.readFileSync(source === '-' ? callerStdin() : source, 'utf8')
  } catch (err) {
    throw systemError(`update: reading resources from ${name}`, err, source === '-' ? {} : { path: source })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new ConfigError([`update: resources from ${name}: ${describeJsonError(text, err)}`])
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError([`update: resources from ${name}: not a JSON object (LinuxResources)`])
  return value as Resources
}

// Intel RDT lives in the resctrl filesystem, not in cgroups
function refuseRdtFlags(opts: Record<string, unknown>): void {
  const flag = opts.l3CacheSchema !== undefined ? '--l3-cache-schema' : opts.memBwSchema !== undefined ? '--mem-bw-schema' : undefined
  if (flag === undefined) return
  if (!fs.existsSync('/sys/fs/resctrl/schemata')) throw new RuntError(`update ${flag}: Intel RDT is not available: /sys/fs/resctrl is not mounted on this host`)
  throw new RuntError(`update ${flag}: Intel RDT is not supported by runt yet`)
}

export function update(g: GlobalOptions, [id]: string[], opts: Record<string, unknown>): Promise<number> {
  const source = opts.resources === undefined ? undefined : String(opts.resources)
  // as runc: with --resources every other flag is ignored
  if (source === undefined) refuseRdtFlags(opts)
  const change = source === undefined ? resourcesFromFlags(opts) : readResources(source)
  return withContainer(g, id, c => {
    if (c.status === 'stopped' || c.record === null) throw new StatusError('container not running', { id })
    const rec = c.record
    const linux = (rec.config.linux ??= {})
    const merged = mergeResources(linux.resources ?? {}, change)
    containerCgroupManager(c)!.apply(merged, { skipDevices: true })
    linux.resources = merged
    c.handle.write(rec)
    return 0
  })
}
