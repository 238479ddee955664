// The recording wrapper (no root, no client): the caller sees the real runtime's output
// and exit status unchanged, and the log holds every argv exactly, with its status.

import fs from 'node:fs'
import path from 'node:path'
import t from 'tap'
import { RecordedRuntime, call, subcommand, tempDir } from './helpers'

t.test('argv, stdio and exit status pass through; the log records them', async t => {
  const dir = tempDir('runt-wrapper-')
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  const fake = path.join(dir, 'fake-runtime')
  fs.writeFileSync(fake, '#!/bin/sh\nprintf "%s|" "$@"; echo; echo "to stderr" >&2; exit 7\n', { mode: 0o755 })
  const rt = new RecordedRuntime(dir, 'runt', fake)

  const args = ['--root', `${dir}/root`, '--log-format=json', 'create', 'tab\there', 'new\nline', 'back\\slash', '']
  const r = call(rt.launcher, args)
  t.equal(r.stdout, args.join('|') + '|\n', 'the runtime got the argv unchanged')
  t.equal(r.stderr, 'to stderr\n')
  t.equal(r.status, 7)
  call(rt.launcher, ['start', 'c1'])

  t.same(rt.invocations(), [{ argv: args, exit: 7 }, { argv: ['start', 'c1'], exit: 7 }])
  t.equal(rt.callsOf('create').length, 1)
  t.equal(subcommand(args), 'create', 'global flags and their values are skipped')
  const id = 'f'.repeat(64)
  call(rt.launcher, ['kill', id, '15'])
  t.equal(rt.summary().split('\n')[2], `exit 7  runt kill ${'f'.repeat(12)} 15`, 'long ids shortened')
  t.equal(rt.summary().split('\n')[0], 'exit 7  runt --root <tmp>/root --log-format=json create "tab\\there" "new\\nline" "back\\\\slash" ""', 'temp dir shortened, odd words quoted')
})
