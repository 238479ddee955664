import t from 'tap'
import { goJson, goQuote, tabwriter } from '../../src/state/go-text'

// Expected outputs worked out by hand from Go's text/tabwriter rules (minwidth 12,
// padding 3, pad with spaces, no flags).
const opts = { minWidth: 12, padding: 3 }

t.test('columns are max(minwidth, widest cell + padding); text after the last tab is not a column', async t => {
  t.equal(tabwriter('a\tbb\tlast\nccccccccccccccc\td\tx\n', opts),
    'a' + ' '.repeat(17) + 'bb' + ' '.repeat(10) + 'last\n' +
    'ccccccccccccccc' + ' '.repeat(3) + 'd' + ' '.repeat(11) + 'x\n')
})

t.test('a column block ends where a line has no cell in it', async t => {
  // line 2 has only one tab: column 1 has a block of line 1 alone, then line 3 alone
  t.equal(tabwriter('a\tbbbbbbbbbbbbbbbbbbbb\tz\nb\ty\nc\td\te\n', opts),
    'a           bbbbbbbbbbbbbbbbbbbb   z\n' +
    'b           y\n' +
    'c           d           e\n')
})

t.test('a line without tabs flushes: the lines after it are laid out on their own', async t => {
  t.equal(tabwriter('aaaaaaaaaaaaaaaaaaaa\tb\nplain line\nc\td\n', opts),
    'aaaaaaaaaaaaaaaaaaaa   b\n' +
    'plain line\n' +
    'c           d\n')
})

t.test('empty cells are padded, an unterminated last line is written as is', async t => {
  t.equal(tabwriter('\tx\n\t', opts), '            x\n            ')
  t.equal(tabwriter('', opts), '')
})

t.test('Go JSON escapes HTML characters and line separators', async t => {
  t.equal(goJson({ a: '<b>&\u2028\u2029"\n' }), '{"a":"\\u003cb\\u003e\\u0026\\u2028\\u2029\\"\\n"}')
  t.equal(goJson([1, { x: [] }], '\t'), '[\n\t1,\n\t{\n\t\t"x": []\n\t}\n]')
})

t.test('Go %q quoting', async t => {
  t.equal(goQuote('plain text'), '"plain text"')
  t.equal(goQuote('say "hi"\\ \n\t\x01\x7f'), '"say \\"hi\\"\\\\ \\n\\t\\x01\\x7f"')
  t.equal(goQuote('é\u00a0\u200b'), '"é\\u00a0\\u200b"')
})
