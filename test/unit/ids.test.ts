import t from 'tap'
import { validateId } from '../../src/state/ids'
import { ContainerIdError } from '../../src/errors'

t.test('ids runc accepts', async t => {
  for (const id of ['a', 'abc-123', 'A_b.c+d', '...', '.hidden', 'x..y', 'a'.repeat(1024)]) {
    t.doesNotThrow(() => validateId(id), id.slice(0, 20))
  }
})

t.test('ids that are empty, climb out of the root or use other characters are refused', async t => {
  const bad = ['', '.', '..', '../x', 'a/b', '/abs', 'a\0b', 'a b', 'a:b', 'tab\t', 'ünï', '~x', 'a'.repeat(1025)]
  for (const id of bad) {
    t.throws(() => validateId(id), { constructor: ContainerIdError, message: /^invalid container ID format$/ }, JSON.stringify(id.slice(0, 20)))
  }
})
