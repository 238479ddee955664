// linux.netDevices -> the network devices the executor moves into the container's
// network namespace (config-linux.md, "Network Devices").

import { ConfigError } from '../errors'
import type { Linux } from '../spec/types'
import { hasNamespace } from './namespaces'
import type { NetDeviceOp } from './types'

const IFNAMSIZ = 16

/** Why name cannot name a network device (the kernel's dev_valid_name), or null. */
function badDeviceName(name: string, template: boolean): string | null {
  if (name === '' || name === '.' || name === '..') return 'is not a device name'
  if (Buffer.byteLength(name) >= IFNAMSIZ) return `is longer than ${IFNAMSIZ - 1} bytes`
  if (/[/:\s]/.test(name)) return 'contains "/", ":" or white space'
  const percents = name.split('%').length - 1
  if (percents > (template ? 1 : 0) || (percents === 1 && !name.includes('%d'))) return 'has a "%" other than one "%d"'
  return null
}

export function planNetDevices(linux: Linux | undefined): NetDeviceOp[] {
  const entries = Object.entries(linux?.netDevices ?? {})
  if (entries.length === 0) return []
  if (!hasNamespace(linux, 'network')) {
    throw new ConfigError(['/linux/netDevices: moving network devices needs a network namespace (add {"type": "network"} to /linux/namespaces)'])
  }
  const problems: string[] = []
  const inside = new Map<string, string>()
  const ops = entries.map(([hostName, device]) => {
    const pointer = `/linux/netDevices/${hostName.replace(/~/g, '~0').replace(/\//g, '~1')}`
    const name = device?.name || hostName
    const badHost = badDeviceName(hostName, false)
    if (badHost) problems.push(`${pointer}: ${JSON.stringify(hostName)} ${badHost}`)
    const badName = device?.name ? badDeviceName(device.name, true) : null
    if (badName) problems.push(`${pointer}/name: ${JSON.stringify(device.name)} ${badName}`)
    const earlier = inside.get(name)
    if (earlier !== undefined && !name.includes('%d')) {
      problems.push(`${pointer}: ${JSON.stringify(name)} is also the container name of ${JSON.stringify(earlier)}`)
    }
    inside.set(name, hostName)
    return { hostName, name }
  })
  if (problems.length > 0) throw new ConfigError(problems)
  return ops
}
