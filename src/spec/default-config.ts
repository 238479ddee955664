// `runt spec`: the starting-point config.json runc writes (specconv.Example and
// ToRootless), with runt's version and hostname. Keys are in the order Go marshals
// runc's structs, so the file reads like runc's.

import fs from 'node:fs'
import path from 'node:path'
import { RuntError, systemError } from '../errors'
import type { Mount, Namespace, Spec } from './types'
import { goJson } from '../state/go-text'

export interface DefaultSpecOptions {
  /** a config for an unprivileged user: new user namespace, no network namespace, no cgroup settings */
  rootless: boolean
  /** host ids mapped to root in a rootless container (default: the caller's effective ids) */
  uid?: number
  gid?: number
}

const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']

export function defaultSpec(opts: DefaultSpecOptions): Spec {
  const spec: Spec = {
    ociVersion: '1.3.0',
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: [...DEFAULT_CAPS], effective: [...DEFAULT_CAPS], permitted: [...DEFAULT_CAPS] },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'runt',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] },
    ],
    linux: {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: (['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup'] as const).map(type => ({ type })),
      maskedPaths: [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  }
  return opts.rootless ? toRootless(spec, opts.uid ?? process.geteuid?.() ?? 0, opts.gid ?? process.getegid?.() ?? 0) : spec
}

/**
 * What an unprivileged user can set up: a user namespace mapping only themselves to
 * root, no network namespace (no way to wire one up), /sys bound from the host (sysfs
 * cannot be mounted without owning the network namespace), no uid=/gid= mount options
 * (those ids are unmapped), and no cgroup settings (no write access to cgroups).
 */
function toRootless(spec: Spec, uid: number, gid: number): Spec {
  const linux = spec.linux ?? {}
  const namespaces: Namespace[] = (linux.namespaces ?? []).filter(ns => ns.type !== 'network' && ns.type !== 'user')
  namespaces.push({ type: 'user' })
  const mounts = (spec.mounts ?? []).map((m): Mount => {
    if (path.posix.normalize(m.destination) === '/sys') {
      return { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
    }
    const options = (m.options ?? []).filter(o => !o.startsWith('uid=') && !o.startsWith('gid='))
    const { options: _dropped, ...rest } = m
    return options.length > 0 ? { ...rest, options } : rest
  })
  // rebuilt so the keys keep Go's order: mappings first, no resources
  const { resources: _resources, namespaces: _namespaces, ...otherLinux } = linux
  return {
    ...spec,
    mounts,
    linux: {
      uidMappings: [{ containerID: 0, hostID: uid, size: 1 }],
      gidMappings: [{ containerID: 0, hostID: gid, size: 1 }],
      namespaces,
      ...otherLinux,
    },
  }
}

/** Write <bundle>/config.json (tab-indented, no trailing newline, as runc); never overwrite one. */
export function writeSpec(bundleDir: string, rootless: boolean): void {
  const file = path.join(bundleDir, 'config.json')
  try {
    // wx (O_EXCL): an existing config.json, even a dangling symlink, is never replaced
    fs.writeFileSync(file, goJson(defaultSpec({ rootless }), '\t'), { mode: 0o666, flag: 'wx' })
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new RuntError('File config.json exists. Remove it first', { path: file })
    throw systemError('spec: write config.json', err, { path: file })
  }
}
