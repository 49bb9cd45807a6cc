// Database query metrics on real servers: PostgreSQL through pg, MariaDB through mysql2, queries
// sent from inside a Fastify request (its route) and outside (none), seen by a real UDP listener.
import mysql from 'mysql2'
import mysqlPromise from 'mysql2/promise'
import pg from 'pg'
import QueryStream from 'pg-query-stream'
import Fastify from 'fastify'
import { StatsD } from 'hot-shots'
import t from 'tap'
import { addQueryObserver } from '../../lib/database/query-observers.ts'
import observability from '../../lib/index.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { MARIADB_SERVER, startMariaDb } from '../helpers/mariadb.ts'
import { startPostgres } from '../helpers/postgres.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { needs } from '../helpers/system-packages.ts'

const count = (lines: string[], prefix: string): number => lines.filter((line) => line.startsWith(prefix)).length

t.test('pg: every call shape keeps its result, each query is counted with its operation, outcome and controller', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase('shop')
  const pool = new pg.Pool({ connectionString: url, max: 4 })
  t.teardown(() => pool.end())
  const { url: base, statsd, app } = await startApp(t, {
    routes (app) {
      app.get('/pets/:id', async (request) => {
        const { rows } = await pool.query('SELECT $1::int AS id', [Number((request.params as { id: string }).id)])
        return rows[0]
      })
      app.get('/slow', async () => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        const { rows } = await pool.query('/* hi */ select 2 AS two')
        return rows[0]
      })
    },
  })

  // Promise and callback forms on a pool and on a client.
  t.same((await pool.query('SELECT 1 AS one')).rows, [{ one: 1 }])
  const viaCallback = await new Promise((resolve, reject) => pool.query('SELECT 3 AS three', (err: Error | null, res: pg.QueryResult) => err ? reject(err) : resolve(res.rows)))
  t.same(viaCallback, [{ three: 3 }])
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  t.teardown(() => client.end())
  await client.query('BEGIN')
  await client.query('CREATE TABLE pets (id int)')
  t.equal((await client.query('INSERT INTO pets VALUES (1), (2)')).rowCount, 2)
  await client.query('COMMIT')
  // A submittable: pg's own Query object, followed through its events.
  const submitted = client.query(new pg.Query('SELECT id FROM pets ORDER BY id'))
  const rows: unknown[] = []
  submitted.on('row', (row: unknown) => rows.push(row))
  await new Promise((resolve) => submitted.on('end', resolve))
  t.same(rows, [{ id: 1 }, { id: 2 }])
  // A syntax error: the app gets pg's own error.
  const error = await client.query('SELEC nothing').then(() => null, (err: unknown) => err)
  t.ok(error instanceof Error && (error as { code?: string }).code === '42601', 'pg\'s DatabaseError, SQLSTATE 42601')
  t.equal(client.query('SELECT 1', () => {}), undefined, 'the callback form still returns undefined')
  t.throws(() => client.query(null as unknown as string), TypeError, 'a null query still throws synchronously')

  // Concurrent requests on two routes.
  const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(async (i) => await (await fetch(i % 2 === 0 ? `${base}/pets/${i}` : `${base}/slow`)).json()))
  t.same(answers, [{ two: 2 }, { id: 2 }, { two: 2 }, { id: 4 }, { two: 2 }, { id: 6 }])

  const tag = 'db_system:postgresql'
  await statsd.waitFor((lines) => count(lines, 'db.query:1|c|#' + tag + ',db_operation:SELECT,outcome:ok,controller:/pets/:id') === 3 &&
    count(lines, 'db.query:1|c|#' + tag + ',db_operation:SELECT,outcome:ok,controller:/slow') === 3)
  const lines = statsd.lines
  t.equal(count(lines, `db.query:1|c|#${tag},db_operation:OTHER,outcome:error,controller:none`), 1, 'the syntax error: outcome error')
  for (const op of ['BEGIN', 'CREATE', 'INSERT', 'COMMIT']) t.equal(count(lines, `db.query:1|c|#${tag},db_operation:${op},outcome:ok,controller:none`), 1, op)
  t.ok(count(lines, `db.query:1|c|#${tag},db_operation:SELECT,outcome:ok,controller:none`) >= 4, 'outside a request: none')
  t.ok(lines.some((line) => /^db\.query\.response_time:\d+(\.\d+)?\|ms\|#db_system:postgresql,db_operation:SELECT,outcome:ok,controller:\/slow$/.test(line)))
  const snapshot = app.vigie.snapshot()
  t.ok(JSON.stringify(snapshot).includes('db.query'), 'the aggregator has the series')
})

t.test('mysql2: query, execute, pool and promise wrapper on MariaDB', needs(MARIADB_SERVER), async (t) => {
  const db = await startMariaDb()
  t.teardown(() => db.stop())
  const config = { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database }
  const { url: base, statsd } = await startApp(t, {
    routes (app) {
      // One connection for concurrent requests: callers wait in the pool's queue.
      const pool = mysqlPromise.createPool({ ...config, connectionLimit: 1 })
      app.addHook('onClose', async () => { await pool.end() })
      app.get('/orders', async () => {
        const [rows] = await pool.execute('SELECT ? + 1 AS n', [1])
        return rows
      })
      app.get('/stock', async () => {
        const [rows] = await pool.query('SELECT 10 AS stock')
        return rows
      })
    },
  })
  const connection = mysql.createConnection(config)
  t.teardown(() => new Promise((resolve) => connection.end(() => resolve(undefined))))
  const rows = await new Promise((resolve, reject) => connection.query('SELECT 1 AS one', (err, res) => err ? reject(err) : resolve(res)))
  t.same(rows, [{ one: 1 }])
  const failed = await new Promise((resolve) => connection.query('SELEC 1', (err) => resolve(err)))
  t.equal((failed as { code?: string }).code, 'ER_PARSE_ERROR', 'mysql2\'s own error')
  const promised = await mysqlPromise.createConnection(config)
  t.teardown(() => promised.end())
  const [executed] = await promised.execute('SELECT ? AS v', [7])
  t.same(executed, [{ v: 7 }])
  const answers = await Promise.all([1, 2, 3, 4, 5, 6].map(async (i) => await (await fetch(`${base}/${i % 2 === 0 ? 'orders' : 'stock'}`)).json()))
  t.same(answers, [[{ stock: 10 }], [{ n: 2 }], [{ stock: 10 }], [{ n: 2 }], [{ stock: 10 }], [{ n: 2 }]])

  const tag = 'db_system:mysql'
  await statsd.waitFor((lines) => count(lines, `db.query:1|c|#${tag},db_operation:SELECT,outcome:ok,controller:/orders`) === 3 &&
    count(lines, `db.query:1|c|#${tag},db_operation:SELECT,outcome:ok,controller:/stock`) === 3)
  t.equal(count(statsd.lines, `db.query:1|c|#${tag},db_operation:SELECT,outcome:ok,controller:none`), 2, 'query and execute outside a request')
  t.equal(count(statsd.lines, `db.query:1|c|#${tag},db_operation:OTHER,outcome:error,controller:none`), 1)
})

t.test('an observer that throws: the query result is unchanged, and one warning', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const pool = new pg.Pool({ connectionString: server.url('postgres') })
  t.teardown(() => pool.end())
  await startApp(t)
  const warnings: string[] = []
  const remove = addQueryObserver(() => { throw new Error('observer broke') }, (key, message) => warnings.push(`${key} ${message}`))
  t.teardown(remove)
  for (let i = 0; i < 3; i++) t.same((await pool.query('SELECT 42 AS answer')).rows, [{ answer: 42 }])
  t.equal(warnings.length, 3, 'each failure goes to the registration\'s warn (the feature passes reporter.warnOnce: one line)')
  t.match(warnings[0], /database-observer vigie: a database query observer failed \(Error: observer broke\)/)
})

t.test('a hook that throws: the query runs as without vigie, and the app logs one warning', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const { logs, statsd } = await startApp(t)
  const client = new pg.Client({ connectionString: server.url('postgres') })
  await client.connect()
  t.teardown(() => client.end())
  // vigie reads the client's database name when a query starts: make that read throw.
  Object.defineProperty(client, 'database', { get () { throw new Error('internals moved') }, configurable: true })
  for (let i = 0; i < 3; i++) t.same((await client.query('SELECT 5 AS five')).rows, [{ five: 5 }])
  const viaCallback = await new Promise((resolve) => client.query('SELECT 6 AS six', (err: Error | null, res: pg.QueryResult) => resolve(err ?? res.rows)))
  t.same(viaCallback, [{ six: 6 }], 'the callback form too')
  const warnings = logs.lines.filter((line) => line.level === 40 && String(line.msg).includes('pg query hook failed'))
  t.equal(warnings.length, 1, 'one warning')
  t.match(warnings[0].msg, /vigie: the pg query hook failed \(Error: internals moved\); queries run unaffected/)
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(count(statsd.lines, 'db.query:'), 0, 'those queries are not counted')
})

t.test('through a client the app supplies (hot-shots formats the lines), and in Telegraf format', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const pool = new pg.Pool({ connectionString: server.url('postgres') })
  t.teardown(() => pool.end())
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const client = new StatsD({ host: '127.0.0.1', port: listener.port, maxBufferSize: 0 })
  t.teardown(() => new Promise((resolve) => client.close(() => resolve(undefined))))
  const app = Fastify()
  await app.register(observability, { statsd: { client }, processMetrics: false })
  await app.ready()
  t.teardown(() => app.close())
  const { statsd: telegraf } = await startApp(t, { vigie: { statsd: { tagFormat: 'telegraf' } } })
  await pool.query('UPDATE pg_class SET relname = relname WHERE false')
  await listener.waitFor((lines) => lines.includes('db.query:1|c|#db_system:postgresql,db_operation:UPDATE,outcome:ok,controller:none'))
  t.ok(listener.lines.some((line) => /^db\.query\.response_time:[\d.]+\|ms\|#db_system:postgresql,db_operation:UPDATE,outcome:ok,controller:none$/.test(line)))
  await telegraf.waitFor((lines) => lines.includes('db.query,db_system=postgresql,db_operation=UPDATE,outcome=ok,controller=none:1|c'))
  t.ok(JSON.stringify(app.vigie.snapshot()).includes('"db_operation":"UPDATE"'), 'aggregated once, not twice')
  const counter = app.vigie.snapshot()?.series.find((series) => series.name === 'db.query')
  t.equal(counter?.windows['1m'].count, 1, 'counted once: vigie\'s own sends are not recorded again from the client')
})

t.test('pg-query-stream: the stream streams as without vigie, and the query is counted once read', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const { statsd } = await startApp(t)
  const client = new pg.Client({ connectionString: server.url('postgres') })
  await client.connect()
  t.teardown(() => client.end())
  const stream = client.query(new QueryStream('SELECT n FROM generate_series(1, 250) AS n', [], { batchSize: 100 }))
  t.ok(stream instanceof QueryStream, 'the submittable itself is returned')
  const rows: Array<{ n: number }> = []
  for await (const row of stream) rows.push(row as { n: number })
  t.equal(rows.length, 250)
  t.same(rows.at(-1), { n: 250 })
  // A stream that fails: its error reaches the app through the stream.
  const broken = client.query(new QueryStream('SELECT nope FROM nowhere'))
  const error = await (async () => { try { for await (const row of broken) void row } catch (err) { return err } })()
  t.equal((error as { code?: string }).code, '42P01', 'pg\'s own error, through the stream')
  await statsd.waitFor((lines) => count(lines, 'db.query:1|c|#db_system:postgresql,db_operation:SELECT,outcome:ok,controller:none') === 1 &&
    count(lines, 'db.query:1|c|#db_system:postgresql,db_operation:SELECT,outcome:error,controller:none') === 1)
})
