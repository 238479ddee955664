// Reading and validating config.json (and exec's process.json): parse, check against
// the runtime-spec's JSON schema with validators precompiled at build time
// (schemas/validators.js, see scripts/build-validators.mjs), then the rules the schema
// cannot express (./checks). Every problem becomes one line; all are reported at once.

import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { ConfigError, RuntError, systemError } from '../errors'
import { loadModule, readCodeCache, type CacheHeader } from '../sys/code-cache'
import { projectRoot } from '../sys/native'
import { configProblems, processProblems, type CheckOptions } from './checks'
import { isWithin } from './json-pointer'
import { describeJsonError } from './json-syntax'
import { problemLine, type Problem } from './problem'
import { schemaProblems, type SchemaValidator } from './schema-errors'
import type { Process, Spec } from './types'

export interface Validators {
  config: SchemaValidator
  process: SchemaValidator
  features: SchemaValidator
  state: SchemaValidator
}

let validators: Validators | undefined

/** The precompiled validators of this installation, loaded on first use (never ajv itself). */
export function schemaValidators(): Validators {
  validators ??= loadValidators(path.join(projectRoot(), 'schemas'))
  return validators
}

/** Load <dir>/validators.js, with its code cache <dir>/validators.cache when that fits. */
export function loadValidators(dir: string): Validators {
  const file = path.join(dir, 'validators.js')
  let source: string
  try {
    source = fs.readFileSync(file, 'utf8')
  } catch (err) {
    throw new RuntError(`schema validators not built: cannot read ${file} (run npm run build)`, { path: file, cause: err })
  }
  return loadModule(file, source, readCodeCache(path.join(dir, 'validators.cache'), madeFrom(file)), createRequire(file)) as Validators
}

/**
 * scripts/build-validators.mjs records the size and mtime of the validators.js it made
 * the cache for: a cache that does not match its source is never used.
 */
function madeFrom(file: string): (header: CacheHeader) => boolean {
  return header => {
    const { size, mtimeMs } = fs.statSync(file)
    return header.size === size && header.mtimeMs === mtimeMs
  }
}

/** Schema problems first, then the semantic ones not already explained by a schema problem. */
function merge(schema: Problem[], semantic: Problem[]): string[] {
  const fresh = semantic.filter((s) => !schema.some((p) => isWithin(s.pointer, p.pointer)))
  return [...schema, ...fresh].map(problemLine)
}

/** Validate an already-parsed config.json value: problem lines, [] when valid. */
export function checkConfig(config: unknown, opts: CheckOptions): string[] {
  const validate = schemaValidators().config
  const schema = validate(config) ? [] : schemaProblems(validate.errors ?? [], config)
  return merge(schema, configProblems(config, opts))
}

/** Validate exec's process.json value (an OCI Process): problem lines, [] when valid. */
export function checkProcess(process: unknown): string[] {
  const validate = schemaValidators().process
  const schema = validate(process) ? [] : schemaProblems(validate.errors ?? [], process)
  return merge(schema, processProblems(process, { willStart: true }))
}

/** Read and parse a JSON file; a missing file and bad JSON are ConfigErrors naming `label`. */
function readJson(file: string, label: string): unknown {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new ConfigError([`${label}: no such file (${file})`], { path: file, errno: 'ENOENT' })
    throw systemError(`read ${label}`, err, { path: file })
  }
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new ConfigError([`${label}: invalid JSON: ${describeJsonError(text, err)}`], { path: file, cause: err })
  }
}

/** Read <bundle>/config.json, parse, schema-validate, semantic-check. Throws ConfigError listing every problem. */
export function loadConfig(bundle: string, opts: { willStart: boolean }): Spec {
  const file = path.resolve(bundle, 'config.json')
  const config = readJson(file, 'config.json')
  const problems = checkConfig(config, opts)
  if (problems.length > 0) throw new ConfigError(problems, { path: file })
  return config as Spec
}

/** Read and validate exec's --process file. Throws ConfigError listing every problem. */
export function loadProcess(file: string): Process {
  const resolved = path.resolve(file)
  const process = readJson(resolved, path.basename(resolved))
  const problems = checkProcess(process)
  if (problems.length > 0) throw new ConfigError(problems, { path: resolved })
  return process as Process
}
