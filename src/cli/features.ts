// runt features: what this build of runt implements (runtime-spec features.md).
// Compile-time facts, not host probes: each entry is here because runt does it. The
// exception is seccomp, which depends on the libseccomp runt loads and, for
// supportedFlags, on the kernel (as features.md allows).

import type { GlobalOptions } from './context'
import { CAPABILITIES } from '../spec/linux-names'
import { MOUNT_OPTION_NAMES } from '../plan/mount-options'
import { seccompFeatures } from '../seccomp/features'
import { MEMORY_POLICY_FLAGS, MEMORY_POLICY_MODES } from '../plan/process-attributes'
import { writeStdout } from '../sys/stdout'

declare const RUNT_VERSION: string
declare const RUNT_COMMIT: string

export function featuresDocument(): object {
  const seccomp = seccompFeatures()
  return {
    ociVersionMin: '1.0.0',
    ociVersionMax: '1.3.0',
    hooks: ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'],
    mountOptions: [...MOUNT_OPTION_NAMES].sort(),
    linux: {
      namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'time', 'user', 'uts'],
      capabilities: [...CAPABILITIES],
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: true },
      seccomp: seccomp.features,
      // implemented (native/exec/lsm.c), as runc reports it: the build supports them;
      // a host without the LSM refuses a config that asks for a label (runtime/lsm.ts)
      apparmor: { enabled: true },
      selinux: { enabled: true },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: true } },
      netDevices: { enabled: true },
      memoryPolicy: { modes: [...MEMORY_POLICY_MODES], flags: [...MEMORY_POLICY_FLAGS] },
    },
    annotations: {
      'org.opencontainers.runt.version': typeof RUNT_VERSION === 'string' ? RUNT_VERSION : 'dev',
      'org.opencontainers.runt.commit': typeof RUNT_COMMIT === 'string' ? RUNT_COMMIT : 'unknown',
      ...(seccomp.libseccompVersion ? { 'io.github.seccomp.libseccomp.version': seccomp.libseccompVersion } : {}),
    },
    // runt reads no config.json annotation (it only stores them and reports them in
    // `state` and to hooks), so none of them can change what it does
    potentiallyUnsafeConfigAnnotations: [],
  }
}

export function features(_g: GlobalOptions): number {
  writeStdout(`${JSON.stringify(featuresDocument(), null, 4)}\n`)
  return 0
}
