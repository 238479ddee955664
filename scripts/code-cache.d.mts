// Types of scripts/code-cache.mjs, for the tests that use it.
import type vm from 'node:vm'

export function compileModule(file: string): { script: vm.Script; run: () => unknown }
export function writeCodeCache(cacheFile: string, header: Record<string, unknown>, script: vm.Script): void
