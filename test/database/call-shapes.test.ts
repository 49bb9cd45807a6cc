// The call shapes query-metrics.test.ts does not cover, inside a Fastify request: pg's callback
// form on a Pool and a Client (returns undefined, calls back exactly once, on success and on
// error), pg-query-stream read to its end and abandoned early, mysql2's callback pool (query,
// execute), `connection.promise()` and the promise pool's `[rows, fields]`. Each keeps what it
// gives without vigie, and each query is counted once under its route.
import { setTimeout as sleep } from 'node:timers/promises'
import mysql from 'mysql2'
import pg from 'pg'
import QueryStream from 'pg-query-stream'
import t from 'tap'
import { startApp } from '../helpers/fastify-app.ts'
import { MARIADB_SERVER, startMariaDb } from '../helpers/mariadb.ts'
import { startPostgres } from '../helpers/postgres.ts'
import { queryCounts } from '../helpers/query-counts.ts'
import { needs } from '../helpers/system-packages.ts'

/** Calls `send(callback)`; resolves with what it returned and every call of the callback, 50 ms after the first. */
async function callbackCalls (send: (callback: (...args: unknown[]) => void) => unknown): Promise<{ returned: unknown, calls: unknown[][] }> {
  const calls: unknown[][] = []
  let first: () => void = () => {}
  const called = new Promise<void>((resolve) => { first = resolve })
  const returned = send((...args) => { calls.push(args); first() })
  await called
  await sleep(50)
  return { returned, calls }
}

t.test('pg: callback form and pg-query-stream inside a request', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = server.url('postgres')
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  t.teardown(() => pool.end())
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  t.teardown(() => client.end())

  t.test('the callback form and a stream read to its end', async (t) => {
    const { url: base, app } = await startApp(t, {
      routes (app) {
        app.get('/callbacks', async () => {
          const answers = []
          for (const target of [pool, client] as Array<pg.Pool | pg.Client>) {
            const ok = await callbackCalls((cb) => target.query('SELECT $1::int AS n', [5], cb))
            const failed = await callbackCalls((cb) => target.query('SELEC 1', cb))
            answers.push({
              returned: [ok.returned, failed.returned],
              calls: [ok.calls.length, failed.calls.length],
              ok: [ok.calls[0][0], (ok.calls[0][1] as pg.QueryResult).rows],
              failed: [(failed.calls[0][0] as { code?: string }).code, failed.calls[0][1]],
            })
          }
          return answers
        })
        app.get('/stream', async () => {
          const stream = client.query(new QueryStream('SELECT n FROM generate_series(1, 1000) AS n', [], { batchSize: 64 }))
          let sum = 0
          let rows = 0
          for await (const row of stream) { sum += (row as { n: number }).n; rows++ }
          return { rows, sum }
        })
      },
    })
    const expected = { returned: [undefined, undefined], calls: [1, 1], ok: [null, [{ n: 5 }]], failed: ['42601', undefined] }
    t.same(await (await fetch(`${base}/callbacks`)).json(), [expected, expected], 'Pool and Client: undefined returned, each callback called once, with pg\'s arguments')
    t.same(await (await fetch(`${base}/stream`)).json(), { rows: 1000, sum: 500500 }, 'every row streamed, in batches')
    await sleep(50)
    t.same(queryCounts(app.vigie.snapshot()), {
      'postgresql SELECT ok /callbacks': 2,
      'postgresql OTHER error /callbacks': 2,
      'postgresql SELECT ok /stream': 1,
    }, 'each query once, under its route')
  })

  // The app stops reading a stream (`break` out of `for await`): Node destroys the stream with an
  // AbortError (code ABORT_ERR) that only the iterator sees; the app gets no error and the
  // database none either. vigie, following the stream's `emit`, counts the query as failed and
  // writes a `query failed` line with code ABORT_ERR: a failure that neither the app nor the
  // database had. Expected: counted once with outcome ok (or not as an error), no `query failed` line.
  t.test('a stream the app abandons is not a failed query', async (t) => {
    const { url: base, app, logs } = await startApp(t, {
      routes (app) {
        app.get('/first-rows', async () => {
          const stream = client.query(new QueryStream('SELECT n FROM generate_series(1, 100000) AS n', [], { batchSize: 10 }))
          const taken: number[] = []
          for await (const row of stream) { taken.push((row as { n: number }).n); if (taken.length === 10) break }
          return { taken, after: (await client.query('SELECT 7 AS seven')).rows }
        })
      },
    })
    t.same(await (await fetch(`${base}/first-rows`)).json(), { taken: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], after: [{ seven: 7 }] }, 'the first rows, and the client goes on')
    await sleep(50)
    t.same(logs.lines.filter((line) => line.msg === 'query failed'), [], 'no query failed line')
    t.same(queryCounts(app.vigie.snapshot()), { 'postgresql SELECT ok /first-rows': 2 }, 'both queries counted ok')
  })
})

t.test('mysql2: the callback pool, connection.promise() and the promise pool\'s [rows, fields]', needs(MARIADB_SERVER), async (t) => {
  const db = await startMariaDb()
  t.teardown(() => db.stop())
  const config = { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database }
  const pool = mysql.createPool({ ...config, connectionLimit: 2 })
  t.teardown(() => new Promise((resolve) => pool.end(() => resolve(undefined))))
  const connection = mysql.createConnection(config)
  t.teardown(() => new Promise((resolve) => connection.end(() => resolve(undefined))))
  const promisePool = pool.promise()
  const { url: base, app } = await startApp(t, {
    routes (app) {
      app.get('/callbacks', async () => {
        const query = await callbackCalls((cb) => pool.query('SELECT ? AS n', [1], cb))
        const execute = await callbackCalls((cb) => pool.execute('SELECT ? AS n', [2], cb))
        const failed = await callbackCalls((cb) => pool.query('SELEC 1', cb))
        return {
          calls: [query.calls.length, execute.calls.length, failed.calls.length],
          rows: [query.calls[0][1], execute.calls[0][1]],
          failed: (failed.calls[0][0] as { code?: string }).code,
        }
      })
      app.get('/promises', async () => {
        const [rows, fields] = await promisePool.query('SELECT 3 AS n')
        const [executed] = await connection.promise().execute('SELECT ? AS n', [4])
        const [queried] = await connection.promise().query('SELECT 5 AS n')
        return { rows, field: (fields as Array<{ name: string }>)[0].name, executed, queried }
      })
    },
  })
  t.same(await (await fetch(`${base}/callbacks`)).json(), { calls: [1, 1, 1], rows: [[{ n: 1 }], [{ n: 2 }]], failed: 'ER_PARSE_ERROR' }, 'each callback once, with mysql2\'s arguments')
  t.same(await (await fetch(`${base}/promises`)).json(), { rows: [{ n: 3 }], field: 'n', executed: [{ n: 4 }], queried: [{ n: 5 }] }, '[rows, fields] as mysql2 gives them')
  t.same(queryCounts(app.vigie.snapshot()), {
    'mysql SELECT ok /callbacks': 2,
    'mysql OTHER error /callbacks': 1,
    'mysql SELECT ok /promises': 3,
  }, 'each query once, under its route')
})
