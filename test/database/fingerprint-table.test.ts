import t from 'tap'
import { RELATIVE_ACCURACY } from '../../lib/aggregate/sketch.ts'
import { DEFAULT_CAPACITY, FingerprintTable, statementKey } from '../../lib/database/fingerprint-table.ts'
import type { QueryEvent } from '../../lib/database/query-event.ts'
import { StatementMemo } from '../../lib/database/statement-memo.ts'

function query (statement: string, durationMs: number, more: Partial<QueryEvent> = {}): QueryEvent {
  return { system: 'postgresql', database: 'shop', statement, durationMs, rows: undefined, error: undefined, ...more }
}

t.test('counts, times, errors and rows per fingerprint, by total time', async (t) => {
  const table = new FingerprintTable()
  table.record(query('SELECT * FROM pets WHERE id = 1', 2, { rows: 1 }))
  table.record(query('SELECT * FROM pets WHERE id = 2', 4, { rows: 0 }))
  table.record(query('select * from pets where id = $1', 6, { rows: 1 }))
  table.record(query("UPDATE pets SET name = 'x' WHERE id = 3", 30, { error: new Error('deadlock') }))
  table.record(query('SELECT pg_sleep(0.6)', 600))

  const { queries, other } = table.top()
  t.same(queries.map((q) => q.fingerprint), ['SELECT pg_sleep(?)', 'UPDATE pets SET name = ? WHERE id = ?', 'SELECT * FROM pets WHERE id = ?'])
  t.match(queries[2], { system: 'postgresql', count: 3, totalMs: 12, meanMs: 4, maxMs: 6, errors: 0, rows: 2 })
  t.match(queries[1], { count: 1, totalMs: 30, errors: 1, rows: undefined })
  t.equal(queries[0].p90Ms, 600)
  t.same(other, { fingerprints: 0, count: 0, totalMs: 0, meanMs: 0, maxMs: 0, p90Ms: 0, errors: 0, rows: undefined })
  t.equal(table.size, 3)
})

t.test('the same text in two dialects gives two fingerprints', async (t) => {
  const table = new FingerprintTable()
  table.record(query('SELECT "a" FROM t', 1))
  table.record(query('SELECT "a" FROM t', 1, { system: 'mysql' }))
  t.same(table.top().queries.map((q) => [q.system, q.fingerprint]).sort(), [['mysql', 'SELECT ? FROM t'], ['postgresql', 'SELECT "a" FROM t']])
})

t.test('top(limit): the rest counts under other, and totals add up', async (t) => {
  const table = new FingerprintTable()
  let all = 0
  for (let k = 1; k <= 10; k++) {
    for (let r = 0; r < k; r++) {
      table.record(query(`SELECT * FROM t${k} WHERE id = ${r}`, k, { rows: 1 }))
      all += k
    }
  }
  const { queries, other } = table.top(3)
  t.same(queries.map((q) => q.fingerprint), ['SELECT * FROM t10 WHERE id = ?', 'SELECT * FROM t9 WHERE id = ?', 'SELECT * FROM t8 WHERE id = ?'])
  t.equal(other.fingerprints, 7)
  t.equal(other.count, 1 + 2 + 3 + 4 + 5 + 6 + 7)
  t.equal(other.maxMs, 7)
  t.equal(other.rows, other.count)
  t.equal(queries.reduce((sum, q) => sum + q.totalMs, 0) + other.totalMs, all)
  t.equal(table.top(0).queries.length, 0)
  t.equal(table.top(0).other.count, 55)
  t.equal(table.top(-1).queries.length, 10, 'a bad limit reads all')

  const ties = new FingerprintTable()
  for (const statement of ['SELECT b FROM t', 'SELECT a FROM t', 'SELECT c FROM t', 'SELECT a FROM t']) ties.record(query(statement, 1))
  ties.record(query('SELECT d FROM t', 2))
  t.same(ties.top().queries.map((q) => q.fingerprint), ['SELECT a FROM t', 'SELECT d FROM t', 'SELECT b FROM t', 'SELECT c FROM t'], 'equal time: more queries first, then by text')
})

t.test('when full, the fingerprint of least total time goes to other, and the heavy ones stay', async (t) => {
  const table = new FingerprintTable({ capacity: 3 })
  table.record(query('SELECT a FROM t', 100))
  table.record(query('SELECT b FROM t', 50))
  table.record(query('SELECT c FROM t', 10, { rows: 5 }))
  table.record(query('SELECT d FROM t', 1))
  let top = table.top()
  t.same(top.queries.map((q) => q.fingerprint), ['SELECT a FROM t', 'SELECT b FROM t', 'SELECT d FROM t'])
  t.match(top.other, { fingerprints: 1, count: 1, totalMs: 10, maxMs: 10, rows: 5 })

  // A thousand one-off statements: what holds over a share of total time above 1 / capacity stays.
  const heavy = new FingerprintTable({ capacity: 4 })
  heavy.record(query('SELECT a FROM t', 1000))
  heavy.record(query('SELECT b FROM t', 800))
  let all = 1800
  for (let k = 0; k < 1000; k++) {
    heavy.record(query(`SELECT x${k} FROM t`, 1))
    all++
  }
  top = heavy.top()
  t.equal(heavy.size, 4)
  t.same(top.queries.slice(0, 2).map((q) => q.fingerprint), ['SELECT a FROM t', 'SELECT b FROM t'])
  t.equal(top.other.fingerprints, 998)
  t.equal(top.queries.reduce((sum, q) => sum + q.totalMs, 0) + top.other.totalMs, all, 'nothing lost')
  t.equal(top.other.count + top.queries.reduce((sum, q) => sum + q.count, 0), 1002)
})

t.test('a query that grows heavy after the table is full makes it to the top', async (t) => {
  const table = new FingerprintTable({ capacity: 5 })
  for (let k = 0; k < 5; k++) table.record(query(`SELECT early${k} FROM t`, 10))
  // One-off statements interleaved with a slow query that first shows now.
  for (let k = 0; k < 200; k++) {
    table.record(query(`SELECT once${k} FROM t`, 1))
    if (k % 10 === 0) table.record(query(`SELECT * FROM orders WHERE customer_id = ${k}`, 20))
  }
  const top = table.top()
  t.equal(top.queries[0].fingerprint, 'SELECT * FROM orders WHERE customer_id = ?')
  t.ok(top.queries[0].count >= 19, 'counted from its admission on: at most one occurrence before it')
})

t.test('bounds: fingerprints and the memo', async (t) => {
  const table = new FingerprintTable({ capacity: 50, memoEntries: 100, memoChars: 10_000 })
  for (let k = 0; k < 5000; k++) {
    table.record(query(`SELECT c${k} FROM t WHERE id = ${k}`, 1))
    table.record(query(`SELECT c${k} FROM t WHERE id = ${k}`, 1, { system: 'mysql' }))
  }
  t.equal(table.size, 50)
  const memo = table.memoSize()
  t.ok(memo.entries <= 200, `memo entries ${memo.entries}`)
  t.ok(memo.chars <= 20_000, `memo chars ${memo.chars}`)
  t.equal(new FingerprintTable().capacity, DEFAULT_CAPACITY)
  t.equal(new FingerprintTable({ capacity: 0 }).capacity, DEFAULT_CAPACITY, 'a bad capacity: the default')
})

t.test('the memo: two bounded generations, statements in use survive', async (t) => {
  const memo = new StatementMemo(4, 1000)
  memo.set('a', 'A')
  memo.set('b', 'B')
  memo.set('c', 'C') // a, b become the previous generation
  t.equal(memo.get('a'), 'A', 'found in the previous generation and copied into the current one')
  memo.set('d', 'D') // c, a become previous; b is dropped
  t.equal(memo.get('b'), undefined)
  t.equal(memo.get('a'), 'A')
  t.equal(memo.get('c'), 'C')
  t.ok(memo.size <= 4)

  const chars = new StatementMemo(1000, 20)
  chars.set('x'.repeat(11), 'y')
  t.equal(chars.size, 0, 'a pair over a generation is not kept')
  for (let k = 0; k < 10; k++) chars.set(`s${k}`, 'v')
  t.ok(chars.chars <= 20)
})

t.test('the memo makes a repeated statement a lookup, and never changes its fingerprint', async (t) => {
  const table = new FingerprintTable()
  for (let k = 0; k < 3; k++) table.record(query('SELECT * FROM t WHERE a = $1', 1))
  t.equal(table.memoSize().entries, 1)
  t.same(table.top().queries.map((q) => [q.fingerprint, q.count]), [['SELECT * FROM t WHERE a = ?', 3]])
  const long = 'SELECT 1' + ' '.repeat(20_000)
  table.record(query(long, 1))
  t.equal(table.memoSize().entries, 1, 'statements over the input bound are not remembered')

  t.same(statementKey(table.record(query('SELECT * FROM t WHERE b = 2', 1))), { system: 'postgresql', fingerprint: 'SELECT * FROM t WHERE b = ?' }, 'record() returns the key of the fingerprint')
  t.same(statementKey(new FingerprintTable().record(query('SELECT * FROM t WHERE b = 2', 1, { system: 'mysql' }))), { system: 'mysql', fingerprint: 'SELECT * FROM t WHERE b = ?' }, 'a key per dialect')
  t.equal(table.fingerprint('SELECT * FROM t WHERE b = 3', 'postgresql'), 'SELECT * FROM t WHERE b = ?')
  t.equal(table.fingerprint('SELECT "x"', 'mysql'), 'SELECT ?')
  t.equal(table.fingerprint(undefined as unknown as string, 'postgresql'), '')
  t.equal(table.memoSize().entries, 5)
  t.equal(table.top().queries.find((q) => q.fingerprint === 'SELECT * FROM t WHERE b = ?')?.count, 1, 'fingerprint() counts nothing')
})

t.test('p90 within the sketch accuracy', async (t) => {
  const table = new FingerprintTable()
  const values: number[] = []
  for (let k = 1; k <= 1000; k++) {
    const ms = 0.5 + ((k * 7919) % 1000) * 1.37
    values.push(ms)
    table.record(query(`SELECT * FROM t WHERE id = ${k}`, ms))
  }
  values.sort((a, b) => a - b)
  const exact = values[Math.floor(0.9 * (values.length - 1))]
  const p90 = table.top().queries[0].p90Ms
  t.ok(Math.abs(p90 - exact) / exact <= RELATIVE_ACCURACY + 1e-9, `p90 ${p90} against ${exact}`)
})

t.test('fails open on odd events', async (t) => {
  const table = new FingerprintTable()
  table.record(query('SELECT 1', Number.NaN))
  table.record(query('SELECT 1', -5))
  table.record(query('SELECT 1', Infinity, { rows: Number.NaN }))
  table.record({ ...query('x', 1), statement: undefined as unknown as string })
  table.record({ ...query('SELECT 1', 1), system: 'oracle' as unknown as QueryEvent['system'] })
  const { queries } = table.top()
  t.match(queries.find((q) => q.fingerprint === 'SELECT ?'), { count: 4, totalMs: 1, maxMs: 1, rows: undefined })
  t.ok(queries.some((q) => q.fingerprint === ''))
})

t.test('shared between a cluster\'s workers: what two tables took, merged, reads as one table that recorded it all', async (t) => {
  const whole = new FingerprintTable()
  const here = new FingerprintTable()
  const there = new FingerprintTable()
  t.same(there.takeShared(), [], 'nothing to take before sharing starts')
  there.startSharing()
  for (let k = 0; k < 300; k++) {
    const event = query(`SELECT * FROM pets WHERE owner_id = ${k}`, (k % 17) + 0.5, { rows: k % 3, error: k % 50 === 0 ? new Error('x') : undefined })
    const slow = query('SELECT pg_sleep(0.2)', 200 + k)
    for (const table of [whole, k % 2 === 0 ? here : there]) {
      table.record(event)
      if (k % 30 === 0) table.record(slow)
    }
  }
  here.record(query('INSERT INTO audit VALUES (1)', 3))
  whole.record(query('INSERT INTO audit VALUES (1)', 3))
  const taken = there.takeShared()
  t.same(there.takeShared(), [], 'each is taken once')
  t.notMatch(JSON.stringify(taken), /owner_id = \d/, 'fingerprints only, never a value')
  for (const delta of JSON.parse(JSON.stringify(taken)) as unknown[]) here.mergeShared(delta)
  const got = here.top()
  const want = whole.top()
  t.same(got.queries.map((q) => [q.fingerprint, q.count, q.errors, q.rows, q.maxMs, q.p90Ms]), want.queries.map((q) => [q.fingerprint, q.count, q.errors, q.rows, q.maxMs, q.p90Ms]))
  for (let i = 0; i < got.queries.length; i++) t.ok(Math.abs(got.queries[i]!.totalMs - want.queries[i]!.totalMs) < 1e-6, `${got.queries[i]!.fingerprint}: total time`)
  for (const bad of [null, 3, { key: 'x' }, { ...taken[0] as object, key: 'zSELECT 1' }, { ...taken[0] as object, count: -1 }, { ...taken[0] as object, errors: 1e9 }]) {
    t.doesNotThrow(() => here.mergeShared(bad), JSON.stringify(bad))
  }
  t.same(here.top().queries.map((q) => q.count), got.queries.map((q) => q.count), 'malformed deltas changed nothing')
})
