// runt ps <id> [ps args]: the processes of a container. JSON: the host pids of its
// cgroup; table: the host's `ps` output (default `-ef`) limited to those pids.

import { execFileSync } from 'node:child_process'
import { RuntError, UsageError } from '../errors'
import type { GlobalOptions } from './context'
import { withContainer } from '../runtime/container'
import { containerCgroups } from '../runtime/container-cgroups'
import { writeStdout } from '../sys/stdout'

export function ps(g: GlobalOptions, [id, ...psArgs]: string[], opts: Record<string, unknown>): Promise<number> {
  const format = String(opts.format ?? 'table')
  if (format !== 'table' && format !== 'json') throw new UsageError(`invalid format option: ${format} (allowed: table, json)`)
  return withContainer(g, id, c => {
    if (c.status === 'stopped' && format === 'table') throw new RuntError('container not running', { id })
    const pids = containerCgroups(c)?.pids() ?? []
    if (format === 'json') {
      writeStdout(`${JSON.stringify(pids)}\n`)
      return 0
    }
    writeStdout(psTable(pids, psArgs.length > 0 ? psArgs : ['-ef']))
    return 0
  })
}

/** Run the host's ps and keep the header and the rows whose PID column is one of pids. */
export function psTable(pids: readonly number[], args: readonly string[]): string {
  let output: string
  try {
    output = execFileSync('ps', [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    throw new RuntError(`ps ${args.join(' ')}: ${(err as Error).message.split('\n')[0]}`)
  }
  return filterPsOutput(output, pids)
}

export function filterPsOutput(output: string, pids: readonly number[]): string {
  const lines = output.split('\n')
  const header = lines[0] ?? ''
  const pidColumn = header.trim().split(/\s+/).indexOf('PID')
  if (pidColumn < 0) throw new RuntError("couldn't find PID field in ps output")
  const wanted = new Set(pids)
  const rows = lines.slice(1).filter(l => l.trim() !== '' && wanted.has(Number(l.trim().split(/\s+/)[pidColumn])))
  return [header, ...rows].join('\n') + '\n'
}
