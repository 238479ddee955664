// runt spec: write a default config.json (busybox `sh`) into the bundle directory.

import path from 'node:path'
import type { GlobalOptions } from './context'
import { writeSpec } from '../spec/default-config'

export function spec(_g: GlobalOptions, _args: string[], opts: Record<string, unknown>): number {
  const bundle = path.resolve(String(opts.bundle ?? '.'))
  writeSpec(bundle, opts.rootless === true)
  return 0
}
