import t from 'tap'
import { ConfigError, problemsMessage } from '../../src/errors'

t.test('a ConfigError names every problem when there are few', async t => {
  t.equal(new ConfigError(['/a: bad', '/b: worse']).message, '/a: bad; /b: worse')
})

t.test('a hostile config with thousands of problems still gives one readable line', async t => {
  const problems = Array.from({ length: 20000 }, (_, i) => `/linux/maskedPaths/${i}: "x" is not an absolute path (must start with /)`)
  const err = new ConfigError(problems)
  t.equal(err.problems.length, 20000, 'all problems are kept for the caller')
  t.match(err.message, /^\/linux\/maskedPaths\/0: /)
  t.match(err.message, /\/linux\/maskedPaths\/19: [^;]*; and 19980 more problems$/)
  t.ok(err.message.length < 2000, `${err.message.length} chars`)
})

t.test('one problem with a huge pointer is cut short', async t => {
  const line = problemsMessage([`${'/a'.repeat(100000)}: null is null (must be an object)`])
  t.equal(line.length, 400)
  t.ok(line.endsWith('…'))
  t.equal(problemsMessage(['/x: one', '/y: two']), '/x: one; /y: two')
})
