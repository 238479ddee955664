// The seccomp part of `runt features`: what runt implements, limited by the libseccomp it
// loads (architectures it resolves) and, for supportedFlags, by this kernel.

import { native } from '../sys/native'
import { flagSupported } from './compile'
import { ACTIONS, ARCHITECTURES, FLAGS, OPERATORS, libseccompArch } from './profile'
import type { SeccompFlag } from '../spec/types'

export interface SeccompFeatures {
  enabled: boolean
  actions?: string[]
  operators?: string[]
  archs?: string[]
  knownFlags?: string[]
  supportedFlags?: string[]
}

/** The features entry, and libseccomp's version for the annotations (null: not loadable). */
export function seccompFeatures(): { features: SeccompFeatures; libseccompVersion: string | null } {
  const version = native().seccompVersion()
  if (version === null) return { features: { enabled: false }, libseccompVersion: null }
  const knownFlags = (Object.keys(FLAGS) as SeccompFlag[]).sort()
  return {
    features: {
      enabled: true,
      actions: Object.keys(ACTIONS).sort(),
      operators: Object.keys(OPERATORS).sort(),
      archs: ARCHITECTURES.filter(a => native().seccompArchKnown(libseccompArch(a))).sort(),
      knownFlags,
      supportedFlags: knownFlags.filter(f => flagSupported(FLAGS[f])),
    },
    libseccompVersion: version,
  }
}
