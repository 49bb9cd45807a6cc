// db_operation: the statement's first keyword from a fixed list, found by one linear scan.
import t from 'tap'
import { statementOperation } from '../../lib/database/statement-operation.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

t.test('the first keyword, upper-cased, after whitespace, parentheses and comments', async (t) => {
  const cases: Array<[string, string]> = [
    ['SELECT 1', 'SELECT'],
    ['  select * from pets', 'SELECT'],
    ['\n\tInsert into pets values (1)', 'INSERT'],
    ['-- a comment\nUPDATE pets SET x = 1', 'UPDATE'],
    ['# mysql comment\ndelete from pets', 'DELETE'],
    ['/* app=shop */ WITH x AS (SELECT 1) SELECT * FROM x', 'WITH'],
    ['/*+ hint */ /* two */begin', 'BEGIN'],
    ['(SELECT 1) UNION (SELECT 2)', 'SELECT'],
    ['commit', 'COMMIT'],
    ['ROLLBACK', 'ROLLBACK'],
    ['CREATE TABLE t (id int)', 'CREATE'],
    ['TRUNCATE t', 'TRUNCATE'],
    ['call p()', 'CALL'],
    ['SHOW TABLES', 'SHOW'],
    ['SELEC nothing', 'OTHER'],
    ['', 'OTHER'],
    ['   ', 'OTHER'],
    ['/* never closed SELECT', 'OTHER'],
    ['-- only a comment', 'OTHER'],
    ['SELECTED', 'OTHER'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'OTHER'],
    ['123', 'OTHER'],
    ['SELECT\u00e9', 'SELECT'],
  ]
  for (const [statement, operation] of cases) t.equal(statementOperation(statement), operation, JSON.stringify(statement))
})

t.test('linear: a long statement of comments and spaces is scanned quickly', async (t) => {
  const hostile = '/* x */ '.repeat(100_000) + ' '.repeat(100_000) + '-- y\n'.repeat(100_000) + 'select 1'
  const start = performance.now()
  t.equal(statementOperation(hostile), 'SELECT')
  t.ok(performance.now() - start < 200, 'well under 200 ms for 1.3 MB')
})

t.test('the database option: on by default, false or VIGIE_DATABASE=false turns it off, sub-options checked at startup', async (t) => {
  const defaults = { slowQueryMs: 500, nPlusOne: 20, logParameters: false, comment: false }
  t.same(resolveOptions(undefined, {}).database, defaults)
  t.same(resolveOptions({ database: true }, {}).database, defaults)
  t.equal(resolveOptions({ database: false }, {}).database, null)
  t.equal(resolveOptions({}, { VIGIE_DATABASE: 'false' }).database, null)
  t.same(resolveOptions({}, { VIGIE_DATABASE: 'true' }).database, defaults)
  t.same(resolveOptions({ database: { slowQueryMs: 100, nPlusOne: false, logParameters: true, comment: true } }, {}).database,
    { slowQueryMs: 100, nPlusOne: null, logParameters: true, comment: true })
  t.same(resolveOptions({}, { VIGIE_DATABASE_SLOW_QUERY_MS: '250', VIGIE_DATABASE_COMMENT: 'on' }).database, { ...defaults, slowQueryMs: 250, comment: true })
  t.throws(() => resolveOptions({ database: { slowQuery: 1 } } as never, {}), { code: 'VIGIE_ERR_UNKNOWN_OPTION' })
  t.throws(() => resolveOptions({ database: 'yes' } as never, {}), { code: 'VIGIE_ERR_INVALID_OPTION' })
  for (const [bad, option] of [[{ slowQueryMs: 0 }, 'database.slowQueryMs'], [{ slowQueryMs: 2.5 }, 'database.slowQueryMs'], [{ nPlusOne: 1 }, 'database.nPlusOne'],
    [{ nPlusOne: true }, 'database.nPlusOne'], [{ logParameters: 'yes' }, 'database.logParameters'], [{ comment: 1 }, 'database.comment']] as const) {
    t.throws(() => resolveOptions({ database: bad } as never, {}), { code: 'VIGIE_ERR_INVALID_OPTION', option }, option)
  }
})
