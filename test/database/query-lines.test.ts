// What vigie writes and counts per query and per request, on real servers: the `slow query` and
// `query failed` lines (rate-limited per fingerprint), the `possible N+1` line, the request's
// queries in its exception line and in `http_request.db_time`, and app.vigie.queries().
// Fastify apps shaped like real ones: logger on, their own error handler, a pg Pool / mysql2 pool.
import mysql from 'mysql2/promise'
import pg from 'pg'
import t from 'tap'
import { startApp } from '../helpers/fastify-app.ts'
import { MARIADB_SERVER, startMariaDb } from '../helpers/mariadb.ts'
import { startPostgres } from '../helpers/postgres.ts'
import { needs } from '../helpers/system-packages.ts'

const CARD = '4111111111111111'

t.test('PostgreSQL: slow query and failed query lines, the exception line\'s db, db_time, N+1 and queries()', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase('shop')
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  t.teardown(() => pool.end())
  const { url: base, app, logs } = await startApp(t, {
    routes (app) {
      app.setErrorHandler(async (error, request, reply) => {
        request.log.error({ err: error }, 'the shop failed')
        return reply.code(500).send({ error: 'internal' })
      })
      app.get('/report', async () => (await pool.query('SELECT pg_sleep(0.6)')).rowCount)
      app.get('/owners/:id/pets', async () => {
        const pets: unknown[] = []
        for (let id = 1; id <= 25; id++) pets.push((await pool.query('SELECT $1::int AS pet', [id])).rows[0])
        return pets
      })
      app.get('/broken', async () => {
        await pool.query('SELECT 1')
        return (await pool.query('SELEC 1 FROM nowhere')).rows
      })
      app.get('/retries', async () => {
        for (let k = 0; k < 12; k++) await pool.query('SELECT * FROM missing_table WHERE id = $1', [k]).catch(() => null)
        return 'gave up'
      })
    },
  })

  const slow = await fetch(`${base}/report`, { headers: { 'x-request-id': 'report-1' } })
  t.equal(slow.status, 200)
  const slowLines = logs.lines.filter((line) => line.msg === 'slow query')
  t.equal(slowLines.length, 1, 'one slow query line')
  const slowLine = slowLines[0]
  t.equal(slowLine.level, 40, 'at warn')
  t.equal(slowLine.correlationId, 'report-1', 'with the request\'s correlation ID')
  t.equal(slowLine.route, '/report')
  t.match(slowLine.db, { system: 'postgresql', name: 'shop', operation: 'SELECT', statement: 'SELECT pg_sleep(?)', rows: 1 })
  t.ok(slowLine.db.durationMs >= 600 && slowLine.db.durationMs < 5000, `its duration (${slowLine.db.durationMs} ms)`)
  t.notOk('parameters' in slowLine.db, 'no parameters unless asked')
  t.equal(JSON.stringify(slowLine).match(/correlationId/g)?.length, 1, 'the key once')

  // 25 queries of one fingerprint in one request: one N+1 line; the same again within 10 minutes: none.
  for (const id of ['n1-a', 'n1-b']) t.equal((await fetch(`${base}/owners/7/pets`, { headers: { 'x-request-id': id } })).status, 200)
  const nPlusOne = logs.lines.filter((line) => line.vigie === 'n-plus-one')
  t.equal(nPlusOne.length, 1, 'one N+1 line per route and fingerprint per 10 minutes')
  t.equal(nPlusOne[0].msg, 'possible N+1: 25 × SELECT ?::int AS pet')
  t.match(nPlusOne[0], { level: 40, correlationId: 'n1-a', route: '/owners/:id/pets', db: { system: 'postgresql', statement: 'SELECT ?::int AS pet', queries: 25 } })

  // A failed query: its line, then the request's exception line carries db.
  const broken = await fetch(`${base}/broken`, { headers: { 'x-request-id': 'broken-1' } })
  t.equal(broken.status, 500, 'the app\'s own error handler answered')
  t.same(await broken.json(), { error: 'internal' })
  const failed = logs.lines.find((line) => line.msg === 'query failed')
  t.match(failed, { level: 40, vigie: 'query-failed', correlationId: 'broken-1', route: '/broken', db: { system: 'postgresql', name: 'shop', operation: 'OTHER', statement: 'SELEC ? FROM nowhere', code: '42601' } })
  const exception = logs.lines.find((line) => line.vigie === undefined && line.correlationId === 'broken-1' && line.msg?.startsWith('exception:'))
  t.ok(exception, 'the exception line')
  t.equal(exception?.db?.queries, 2, 'the request sent two queries')
  t.ok(exception?.db?.totalMs > 0, 'and spent time in them')
  t.match(exception?.db?.failed, { statement: 'SELEC ? FROM nowhere', code: '42601' }, 'and says which one failed')

  // Twelve failures of one fingerprint: five lines, then a summary with the count (on close).
  t.equal(await (await fetch(`${base}/retries`, { headers: { 'x-request-id': 'retry-1' } })).text(), 'gave up')
  const retryLines = logs.lines.filter((line) => line.msg === 'query failed' && line.db.statement === 'SELECT * FROM missing_table WHERE id = ?')
  t.equal(retryLines.length, 5, 'five full lines per fingerprint and minute')
  t.equal(retryLines[0].db.code, '42P01')

  const snapshot = app.vigie.snapshot()
  const dbTime = snapshot?.series.filter((series) => series.name === 'http_request.db_time')
  const timeOf = (controller: string): number | undefined => dbTime?.find((series) => series.tags.controller === controller)?.windows['1m'].count
  t.equal(timeOf('/report'), 1, 'db_time once per request that queried')
  t.equal(timeOf('/owners/:id/pets'), 2)
  t.equal(timeOf('/broken'), 1)
  const report = dbTime?.find((series) => series.tags.controller === '/report')
  t.match(report?.tags, { http_status: '200', method: 'GET' }, 'under the request\'s own tags')

  const { queries, other } = app.vigie.queries()
  // Which statement has the most time in all depends on the machine's load (fifty quick ones can
  // outweigh one pg_sleep(0.6) on a busy one): the order is checked, not who comes first.
  const totals = queries.map((q) => q.totalMs)
  t.same(totals, [...totals].sort((a, b) => b - a), 'the slowest by total time first')
  const sleep = queries.find((q) => q.fingerprint === 'SELECT pg_sleep(?)')
  t.match(sleep, { system: 'postgresql', count: 1, errors: 0, rows: 1 })
  t.ok(sleep!.totalMs >= 600 && sleep!.p90Ms >= 580)
  t.match(queries.find((q) => q.fingerprint === 'SELECT ?::int AS pet'), { count: 50, errors: 0, rows: 50 })
  t.match(queries.find((q) => q.fingerprint === 'SELECT * FROM missing_table WHERE id = ?'), { count: 12, errors: 12 })
  t.equal(other.count, 0)
  t.notOk(JSON.stringify(queries).includes('missing_table WHERE id = 3'), 'no value in a fingerprint')

  await app.close()
  const summary = logs.lines.find((line) => line.vigie === 'query-summary')
  t.match(summary, { level: 40, line: 'query failed', suppressed: 7, db: { statement: 'SELECT * FROM missing_table WHERE id = ?' } }, 'the rest summed up on close')
  t.same(summary.correlationIds, ['retry-1', 'retry-1', 'retry-1', 'retry-1', 'retry-1'])
  t.equal(summary.msg, '7 more failed queries like SELECT * FROM missing_table WHERE id = ? in the last 60 s')
})

t.test('logParameters: the values, scrubbed; nPlusOne: false; slowQueryMs lowered', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const pool = new pg.Pool({ connectionString: server.url('postgres'), max: 2 })
  t.teardown(() => pool.end())
  const { url: base, logs } = await startApp(t, {
    vigie: { database: { logParameters: true, nPlusOne: false, slowQueryMs: 50 } },
    routes (app) {
      app.post('/cards', async (request) => {
        const { card, holder } = request.body as { card: string, holder: string }
        await pool.query('SELECT pg_sleep(0.06), $1::text AS card, $2::text AS holder', [card, holder])
        for (let k = 0; k < 30; k++) await pool.query('SELECT 1')
        return 'ok'
      })
    },
  })
  const res = await fetch(`${base}/cards`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ card: CARD, holder: 'Ada' }) })
  t.equal(res.status, 200)
  const line = logs.lines.find((l) => l.msg === 'slow query')
  t.ok(line, 'slow over 50 ms')
  t.ok(Array.isArray(line?.db.parameters) && line?.db.parameters.length === 2, 'both parameters')
  t.equal(line?.db.parameters[1], 'Ada', 'a plain value as it is')
  t.not(line?.db.parameters[0], CARD, 'the card number masked')
  t.notOk(JSON.stringify(logs.lines).includes(CARD), 'nowhere in the logs')
  t.equal(logs.lines.filter((l) => l.vigie === 'n-plus-one').length, 0, 'no N+1 check')
})

t.test('MariaDB through mysql2: slow and failed query lines', needs(MARIADB_SERVER), async (t) => {
  const db = await startMariaDb()
  t.teardown(() => db.stop())
  const pool = mysql.createPool({ host: db.host, port: db.port, user: db.user, password: db.password, database: db.database, connectionLimit: 2 })
  t.teardown(() => pool.end())
  const { url: base, logs } = await startApp(t, {
    routes (app) {
      app.get('/report', async () => (await pool.query('SELECT SLEEP(0.6) AS slept'))[0])
      app.get('/broken', async (request, reply) => {
        const error = await pool.execute('SELEC ?', [1]).then(() => null, (err: { code: string }) => err.code)
        return reply.code(502).send({ error })
      })
    },
  })
  t.equal((await fetch(`${base}/report`, { headers: { 'x-request-id': 'maria-slow' } })).status, 200)
  const slow = logs.lines.find((line) => line.msg === 'slow query')
  t.match(slow, { correlationId: 'maria-slow', route: '/report', db: { system: 'mysql', name: db.database, operation: 'SELECT', statement: 'SELECT SLEEP(?) AS slept', rows: 1 } })
  t.ok(slow?.db.durationMs >= 600)
  const broken = await fetch(`${base}/broken`, { headers: { 'x-request-id': 'maria-broken' } })
  t.same(await broken.json(), { error: 'ER_PARSE_ERROR' }, 'the app got the driver\'s own error')
  const failed = logs.lines.find((line) => line.msg === 'query failed')
  t.match(failed, { correlationId: 'maria-broken', route: '/broken', db: { system: 'mysql', statement: 'SELEC ?', code: 'ER_PARSE_ERROR' } })
})

t.test('asyncContext: false: no request to attribute a query to, so controller none, no db_time, no N+1, no request fields on the lines', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const pool = new pg.Pool({ connectionString: server.url('postgres'), max: 1 })
  t.teardown(() => pool.end())
  const { url: base, app, logs } = await startApp(t, {
    vigie: { asyncContext: false, propagation: false, database: { slowQueryMs: 50 } },
    routes (app) {
      app.get('/loop', async () => {
        for (let k = 0; k < 25; k++) await pool.query('SELECT $1::int AS n', [k])
        await pool.query('SELECT pg_sleep(0.06)')
        return 'ok'
      })
    },
  })
  t.equal((await fetch(`${base}/loop`, { headers: { 'x-request-id': 'no-context' } })).status, 200)
  const series = app.vigie.snapshot()?.series ?? []
  const controllers = new Set(series.filter((s) => s.name === 'db.query').map((s) => s.tags.controller))
  t.same([...controllers], ['none'], 'every query under none')
  t.equal(series.filter((s) => s.name === 'http_request.db_time').length, 0, 'no db_time')
  t.equal(logs.lines.filter((l) => l.vigie === 'n-plus-one').length, 0, 'no N+1 check')
  const slow = logs.lines.find((l) => l.msg === 'slow query')
  t.ok(slow, 'the slow query line is still written')
  t.notOk('correlationId' in slow! || 'route' in slow!, 'without a request\'s ID or route')
})
