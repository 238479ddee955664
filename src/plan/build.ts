// config.json -> LaunchPlan: every decision about a new container, made here in
// TypeScript so the executor only carries it out. Pure: what it needs to know
// about the host comes in `facts`.

import { posix } from 'node:path'
import { ConfigError } from '../errors'
import type { Hook, Linux, Spec } from '../spec/types'
import { planDevices } from './devices'
import type { HostFacts, PlanOptions } from './inputs'
import { withMountLabel } from './mount-label'
import { MS, PROPAGATION_OPTIONS } from './mount-options'
import { planMounts } from './mounts'
import { planNetDevices } from './net-devices'
import { hasNamespace, planNamespaces } from './namespaces'
import { planProcess } from './process'
import { planMemoryPolicy, planPersonality } from './process-attributes'
import type { ContainerHook, LaunchPlan } from './types'

export type { HostFacts, PlanOptions } from './inputs'

export function buildPlan(spec: Spec, options: PlanOptions, facts: HostFacts): LaunchPlan {
  if (!spec.process) throw new ConfigError(['/process: required to create a container'])
  if (!spec.root?.path) throw new ConfigError(['/root/path: required to create a container'])
  const linux = spec.linux
  checkUtsNamespace(spec)

  const namespaces = planNamespaces(linux)
  // an idmapped mount without mappings of its own takes those of the container's new user namespace
  const containerMaps = namespaces.uidMappings.length > 0 ? { uidMappings: namespaces.uidMappings, gidMappings: namespaces.gidMappings } : null
  const mounts = planMounts(spec.mounts ?? [], options.bundle, facts, containerMaps)
  const dev = planDevices({
    configDevices: linux?.devices ?? [],
    mounts: mounts.mounts,
    inUserNamespace: hasNamespace(linux, 'user'),
    hasProcKcore: facts.hasProcKcore,
  })
  const rootPropagation = rootPropagationFlags(linux, options.noPivot)

  return {
    mode: 'init',
    ...namespaces,
    rootfs: posix.resolve(options.bundle, spec.root.path),
    rootPropagation,
    // runc re-applies a shared (or unbindable) propagation on the new root after
    // pivot_root; private and slave already hold from before
    rootfsPropagation: rootPropagation & (MS.SHARED | MS.UNBINDABLE) ? rootPropagation : 0,
    readonlyRootfs: spec.root.readonly ?? false,
    noPivot: options.noPivot,
    mounts: withMountLabel(mounts.mounts, linux?.mountLabel && facts.selinuxEnabled ? linux.mountLabel : undefined),
    devices: dev.devices,
    symlinks: [...mounts.symlinks, ...dev.symlinks],
    maskedPaths: [...(linux?.maskedPaths ?? [])],
    readonlyPaths: [...(linux?.readonlyPaths ?? [])],
    hostname: spec.hostname ?? null,
    domainname: spec.domainname ?? null,
    sysctls: Object.entries(linux?.sysctl ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => ({ key, value })),
    netDevices: planNetDevices(linux),
    hookPause: [spec.hooks?.prestart, spec.hooks?.createRuntime, spec.hooks?.createContainer, spec.hooks?.startContainer]
      .some(h => (h?.length ?? 0) > 0),
    containerHooks: planContainerHooks(spec.hooks),
    ...planProcess(spec.process),
    preserveFds: options.preserveFds,
    newKeyring: !options.noNewKeyring,
    // execCPUAffinity does not apply to the init (runtime-spec config.md)
    cpuAffinityInitial: null,
    cpuAffinityFinal: null,
    seccomp: options.seccomp ?? null,
    personality: planPersonality(linux?.personality),
    memoryPolicy: linux?.memoryPolicy ? planMemoryPolicy(linux.memoryPolicy, facts.numaNodesOnline ?? null) : null,
  }
}

/**
 * createContainer and startContainer hooks, which the init runs in the container's
 * namespaces. Like the runtime's own hooks (src/hooks/run.ts): argv is `args` when given,
 * else just the path; the environment is exactly `env`.
 */
function planContainerHooks(hooks: Spec['hooks']): ContainerHook[] {
  const plan = (phase: ContainerHook['phase'], list: Hook[] | undefined) => (list ?? []).map((h): ContainerHook => ({
    phase,
    path: h.path,
    args: h.args !== undefined && h.args.length > 0 ? [...h.args] : [h.path],
    // an entry without '=' cannot be passed (the runtime's hooks drop it too)
    env: (h.env ?? []).filter(e => e.indexOf('=') > 0),
    timeout: h.timeout !== undefined && h.timeout > 0 ? h.timeout : 0,
  }))
  return [...plan('createContainer', hooks?.createContainer), ...plan('startContainer', hooks?.startContainer)]
}

/** runc refuses to set a hostname or domainname in a UTS namespace it does not own. */
function checkUtsNamespace(spec: Spec): void {
  if (hasNamespace(spec.linux, 'uts')) return
  for (const field of ['hostname', 'domainname'] as const) {
    if (spec[field]) {
      throw new ConfigError([
        `/${field}: cannot set the ${field} without a private UTS namespace ` +
          `(add {"type": "uts"} to /linux/namespaces; runc refuses this too)`,
      ])
    }
  }
}

/**
 * The propagation applied to "/" before any mount: linux.rootfsPropagation,
 * recursive (the whole inherited tree must stop propagating to the host), or
 * rslave by default.
 */
function rootPropagationFlags(linux: Linux | undefined, noPivot: boolean): number {
  const name = linux?.rootfsPropagation
  if (!name) return MS.SLAVE | MS.REC
  const flag = PROPAGATION_OPTIONS[name]
  if (flag === undefined) {
    throw new ConfigError([`/linux/rootfsPropagation: unknown propagation "${name}"`])
  }
  if (noPivot && flag & MS.PRIVATE) {
    throw new ConfigError([`/linux/rootfsPropagation: "${name}" is not safe without pivot_root (--no-pivot)`])
  }
  return flag | MS.REC
}
