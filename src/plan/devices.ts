// The container's /dev: the device nodes the runtime-spec requires, the ones
// linux.devices asks for, and the standard symlinks.

import { ConfigError } from '../errors'
import type { Device } from '../spec/types'
import type { DeviceNode, MountOp, Symlink } from './types'
import { MS } from './mount-options'

const DEFAULT_MODE = 0o666
const S_IFMT = 0o170000

/** The devices every container gets (runtime-spec config-linux.md, "Default Devices"). */
const DEFAULT_DEVICES: readonly { path: string; major: number; minor: number }[] = [
  { path: '/dev/null', major: 1, minor: 3 },
  { path: '/dev/zero', major: 1, minor: 5 },
  { path: '/dev/full', major: 1, minor: 7 },
  { path: '/dev/random', major: 1, minor: 8 },
  { path: '/dev/urandom', major: 1, minor: 9 },
  { path: '/dev/tty', major: 5, minor: 0 },
]

const DEV_SYMLINKS: readonly Symlink[] = [
  { target: '/proc/self/fd', linkPath: '/dev/fd' },
  { target: '/proc/self/fd/0', linkPath: '/dev/stdin' },
  { target: '/proc/self/fd/1', linkPath: '/dev/stdout' },
  { target: '/proc/self/fd/2', linkPath: '/dev/stderr' },
  // the spec asks for /dev/ptmx to reach the container's own devpts instance
  { target: 'pts/ptmx', linkPath: '/dev/ptmx' },
]

export interface DevicesPlan {
  devices: DeviceNode[]
  symlinks: Symlink[]
}

export interface DeviceInputs {
  configDevices: readonly Device[]
  mounts: readonly MountOp[]
  /** in a user namespace mknod is refused: bind the host's nodes instead */
  inUserNamespace: boolean
  hasProcKcore: boolean
}

/**
 * As runc: a /dev bind-mounted from elsewhere is left exactly as it is;
 * otherwise the default devices (unless linux.devices lists the same path),
 * then linux.devices, then the symlinks.
 */
export function planDevices(inputs: DeviceInputs): DevicesPlan {
  if (inputs.mounts.some(m => m.destination === '/dev' && (m.flags & MS.BIND) !== 0)) {
    return { devices: [], symlinks: [] }
  }
  const bindFromHost = inputs.inUserNamespace
  const configured = new Set(inputs.configDevices.map(d => d.path))
  const devices: DeviceNode[] = DEFAULT_DEVICES.filter(d => !configured.has(d.path)).map(d => ({
    ...d, type: 'c', fileMode: DEFAULT_MODE, uid: 0, gid: 0, bindFromHost,
  }))
  inputs.configDevices.forEach((d, i) => devices.push(configDevice(d, i, bindFromHost)))

  const symlinks = [...DEV_SYMLINKS]
  if (inputs.hasProcKcore) symlinks.push({ target: '/proc/kcore', linkPath: '/dev/core' })
  return { devices, symlinks }
}

function configDevice(d: Device, i: number, bindFromHost: boolean): DeviceNode {
  const where = `/linux/devices/${i} (${d.path})`
  const type = nodeType(d.type)
  if (!type) throw new ConfigError([`${where}: unknown device type "${d.type}" (expected c, b, u or p)`])
  if (type !== 'p' && (d.major === undefined || d.minor === undefined)) {
    throw new ConfigError([`${where}: a "${d.type}" device needs major and minor numbers`])
  }
  return {
    path: d.path,
    type,
    major: d.major ?? 0,
    minor: d.minor ?? 0,
    // fileMode may carry the file type bits too; mknod gets those from the type
    fileMode: (d.fileMode ?? DEFAULT_MODE) & ~S_IFMT,
    uid: d.uid ?? 0,
    gid: d.gid ?? 0,
    bindFromHost,
  }
}

function nodeType(type: string): DeviceNode['type'] | null {
  if (type === 'c' || type === 'u') return 'c' // u: unbuffered character device
  if (type === 'b' || type === 'p') return type
  return null
}
