// The sqlcommenter comment: serialization as the specification says, and the statements it skips.
import t from 'tap'
import type { RequestStore } from '../../lib/context/request-context.ts'
import { MAX_COMMENTED_STATEMENT, requestComment, serializeComment, withComment, withoutComment } from '../../lib/database/sql-comment.ts'

function store (correlationId: string, route: string | null, comment = true): RequestStore {
  return { correlationId, outgoing: null, queries: { owner: {}, comment, controller: () => route, add () {}, failed: null } }
}

t.test('keys sorted, values URL-encoded, \' escaped with a backslash', async (t) => {
  t.equal(serializeComment({ route: '/pets/:id', request_id: 'abc-123' }), '/*request_id=\'abc-123\',route=\'%2Fpets%2F%3Aid\'*/')
  t.equal(serializeComment({ b: '1', a: '2', c: '3' }), '/*a=\'2\',b=\'1\',c=\'3\'*/')
  // encodeURIComponent leaves ' alone: the spec escapes it as \'.
  t.equal(serializeComment({ route: "o'hara" }), "/*route='o\\'hara'*/")
  t.equal(serializeComment({ 'route parameter': 'a b' }), '/*route%20parameter=\'a%20b\'*/', 'keys are encoded too')
  // What could end the comment, open a nested one (PostgreSQL) or look like a placeholder is encoded.
  const nasty = serializeComment({ route: '*/ DROP TABLE x; /* ? $1 :name -- é' })
  t.notOk(nasty.slice(2, -2).includes('*/'), 'no */ inside')
  t.notOk(nasty.slice(2, -2).includes('/*'), 'no /* inside')
  for (const c of ['?', '$', ':', ';', ' ', '-- ']) t.notOk(nasty.slice(2, -2).includes(c), `no ${JSON.stringify(c)} inside`)
  t.equal(nasty, '/*route=\'*%2F%20DROP%20TABLE%20x%3B%20%2F*%20%3F%20%241%20%3Aname%20--%20%C3%A9\'*/')
  t.equal(decodeURIComponent('*%2F%20DROP%20TABLE%20x%3B%20%2F*%20%3F%20%241%20%3Aname%20--%20%C3%A9'), '*/ DROP TABLE x; /* ? $1 :name -- é', 'decodes back')
})

t.test('the request\'s comment: its correlation ID and route; none when the app did not ask, or outside a request', async (t) => {
  const request = store('req-42', '/orders/:id')
  t.equal(requestComment(request), '/*request_id=\'req-42\',route=\'%2Forders%2F%3Aid\'*/')
  t.equal(requestComment(request), requestComment(request), 'the same while the route is the same')
  // The route as known now: it may change while the request goes on.
  request.queries!.controller = () => '/other'
  t.equal(requestComment(request), '/*request_id=\'req-42\',route=\'%2Fother\'*/', 'made again when the route changes')
  t.equal(requestComment(store('req-1', null)), '/*request_id=\'req-1\'*/', 'no route yet: request_id only')
  t.equal(requestComment(store('req-1', '/x', false)), undefined, 'database.comment off')
  t.equal(requestComment({ correlationId: 'req-1', outgoing: null }), undefined, 'the app does not count queries')
  t.equal(requestComment(undefined), undefined, 'outside a request')
})

t.test('appended after the statement, before a final semicolon; skipped when the statement has a comment, is empty or too long', async (t) => {
  const c = '/*request_id=\'1\'*/'
  t.equal(withComment('SELECT 1', c), `SELECT 1 ${c}`)
  t.equal(withComment('SELECT 1;', c), `SELECT 1 ${c};`, 'inside the one statement')
  t.equal(withComment('SELECT 1 ;\n  ', c), `SELECT 1  ${c};`)
  t.equal(withComment('SELECT 1\n', c), `SELECT 1 ${c}`, 'trailing whitespace dropped')
  t.equal(withComment('/* mine */ SELECT 1', c), undefined, 'a block comment already there')
  t.equal(withComment('SELECT 1 -- mine', c), undefined, 'a line comment already there')
  t.equal(withComment('SELECT 1 /*+ hint */', c), undefined, 'an optimizer hint')
  t.equal(withComment("SELECT '--' AS s", c), undefined, 'a literal holding -- is skipped too (errs on the safe side)')
  t.equal(withComment('', c), undefined)
  t.equal(withComment('  \n', c), undefined)
  const long = `SELECT '${'x'.repeat(MAX_COMMENTED_STATEMENT)}'`
  t.equal(withComment(long, c), undefined, 'over the size bound')
  const justUnder = `SELECT '${'x'.repeat(MAX_COMMENTED_STATEMENT - 10)}'`
  t.equal(withComment(justUnder, c), `${justUnder} ${c}`, 'at the bound: commented')
  // Linear: a worst case for a backtracking pattern (seconds, quadratically) takes no time here.
  // The bound is loose on purpose: it tells linear from quadratic, not fast from slow.
  const adversarial = '-'.repeat(30_000).replaceAll('--', '-x') + '/'.repeat(30_000)
  const started = performance.now()
  withComment(adversarial, c)
  t.ok(performance.now() - started < 1000, 'a 60 k adversarial statement in well under a second')
})

t.test('withoutComment takes back out what withComment put in', async (t) => {
  const c = '/*request_id=\'1\',route=\'%2Fx\'*/'
  for (const statement of ['SELECT 1', 'SELECT 1;', 'INSERT INTO t VALUES (\'a\')']) {
    const commented = withComment(statement, c)!
    t.equal(withoutComment(commented, c), statement.replace(/\s*$/, ''), statement)
  }
  t.equal(withoutComment('SELECT 1', c), 'SELECT 1', 'no comment: unchanged')
  // A value formatted into the text before the comment that holds the same text: the last one goes.
  t.equal(withoutComment(`SELECT ' ${c}' ${c}`, c), `SELECT ' ${c}'`)
})
