// Queries killed by a timeout, inside a Fastify request, with vigie's database hooks off
// (`database: false`) then on: the app gets exactly the driver's error (same class, code,
// message, fields), the query is counted once with outcome error under its route, nothing stays
// pending (a late answer from the server is not counted again), the connection's later queries
// work, and nothing escapes as an unhandled rejection.
// pg: the server's statement_timeout (set by SET and by the client option) and the client's
// query_timeout; mysql2 (≥ 3.20, channels; 3.19, the wrapper): query({ sql, timeout }).
import { createRequire } from 'node:module'
import { setTimeout as sleep } from 'node:timers/promises'
import mysqlPromise from 'mysql2/promise'
import pg from 'pg'
import t, { type Test } from 'tap'
import { startApp } from '../helpers/fastify-app.ts'
import { MARIADB_SERVER, startMariaDb } from '../helpers/mariadb.ts'
import { startPostgres } from '../helpers/postgres.ts'
import { queryCounts } from '../helpers/query-counts.ts'
import { needs } from '../helpers/system-packages.ts'

const require = createRequire(import.meta.url)
const legacyPromise = require('mysql2-legacy/promise') as typeof import('mysql2/promise')

/** What the app can see of an error: its class, and every own field but the stack. */
function shape (err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { notAnError: String(err) }
  const fields: Record<string, unknown> = { class: err.constructor.name, message: err.message }
  for (const key of Object.keys(err).sort()) if (key !== 'stack') fields[key] = (err as unknown as Record<string, unknown>)[key]
  return fields
}

/**
 * Serves `GET /run` with `scenario` (which must fail), first with `database: false` then with
 * vigie's defaults; checks both errors have the same shape and resolves with vigie's run's
 * counts once `settleMs` more have passed (a server answering late would be counted then).
 */
async function compare (t: Test, scenario: () => Promise<{ error: unknown, after: unknown }>, settleMs: number): Promise<{ counts: Record<string, number>, error: Record<string, unknown> }> {
  const unexpected: unknown[] = []
  const onUnexpected = (err: unknown): void => { unexpected.push(err) }
  process.on('unhandledRejection', onUnexpected)
  t.teardown(() => { process.off('unhandledRejection', onUnexpected) })
  const results: Array<{ error: Record<string, unknown>, after: unknown, errorClass: unknown }> = []
  let counts: Record<string, number> = {}
  for (const database of [false, true]) {
    const { url, app } = await startApp(t, {
      vigie: database ? {} : { database: false },
      routes (app) {
        app.get('/run', async () => {
          const { error, after } = await scenario()
          results.push({ error: shape(error), after, errorClass: (error as Error).constructor })
          return 'ran'
        })
      },
    })
    t.equal(await (await fetch(`${url}/run`)).text(), 'ran', `database ${database}: the request ends as the app wrote it`)
    await sleep(settleMs)
    if (database) counts = queryCounts(app.vigie.snapshot())
    await app.close()
  }
  const [off, on] = results
  t.equal(on.errorClass, off.errorClass, `the driver's own class (${String(off.error.class)})`)
  t.same(on.error, off.error, 'the same code, message and fields as without vigie')
  t.same(on.after, off.after, 'the connection works after it as without vigie')
  t.same(unexpected, [], 'no unhandled rejection')
  return { counts, error: on.error }
}

t.test('PostgreSQL', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = server.url('postgres')

  t.test('statement_timeout set by SET: the server cancels the query (57014)', async (t) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    t.teardown(() => client.end())
    const { counts, error } = await compare(t, async () => {
      await client.query('SET statement_timeout = 50')
      const error = await client.query('SELECT pg_sleep(2)').then(() => null, (err: unknown) => err)
      await client.query('RESET statement_timeout')
      return { error, after: (await client.query('SELECT 1 AS one')).rows }
    }, 50)
    t.match(error, { class: 'DatabaseError', code: '57014', message: 'canceling statement due to statement timeout' })
    t.same(counts, {
      'postgresql SET ok /run': 1,
      'postgresql SELECT error /run': 1,
      'postgresql RESET ok /run': 1,
      'postgresql SELECT ok /run': 1,
    }, 'the cancelled query once, outcome error, under its route')
  })

  t.test('the client option statement_timeout, callback form: called back once', async (t) => {
    const client = new pg.Client({ connectionString: url, statement_timeout: 50 })
    await client.connect()
    t.teardown(() => client.end())
    const { counts, error } = await compare(t, async () => {
      let calls = 0
      const error = await new Promise((resolve) => {
        t.equal(client.query('SELECT pg_sleep(2)', (err: Error | null) => { calls++; resolve(err) }), undefined, 'the callback form returns undefined')
      })
      await sleep(20)
      return { error, after: { calls, rows: (await client.query('SELECT 2 AS two')).rows } }
    }, 50)
    t.match(error, { class: 'DatabaseError', code: '57014' })
    t.same(counts, { 'postgresql SELECT error /run': 1, 'postgresql SELECT ok /run': 1 })
  })

  t.test('query_timeout (client side): the app gets pg\'s Error, the late answer is not counted', async (t) => {
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    t.teardown(() => client.end())
    const { counts, error } = await compare(t, async () => {
      const error = await client.query({ text: 'SELECT pg_sleep(0.3) AS slept', query_timeout: 50 }).then(() => null, (err: unknown) => err)
      // The server still runs it: the next query waits behind it, as without vigie.
      return { error, after: (await client.query('SELECT 3 AS three')).rows }
    }, 400)
    t.same(error, { class: 'Error', message: 'Query read timeout' })
    t.same(counts, { 'postgresql SELECT error /run': 1, 'postgresql SELECT ok /run': 1 }, 'the timed-out query counted once (not again when the server answers), the next one waited and is counted ok')
  })
})

t.test('MariaDB: query({ sql, timeout })', needs(MARIADB_SERVER), async (t) => {
  const db = await startMariaDb()
  t.teardown(() => db.stop())
  const config = { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database }
  for (const [name, mysql] of [['mysql2 (channels)', mysqlPromise], ['mysql2 3.19 (wrapper)', legacyPromise]] as const) {
    t.test(name, async (t) => {
      const { counts, error } = await compare(t, async () => {
        // mysql2 closes a connection whose query timed out: the app opens another.
        const connection = await mysql.createConnection(config)
        const error = await connection.query({ sql: 'SELECT SLEEP(2) AS slept', timeout: 50 }).then(() => null, (err: unknown) => err)
        connection.destroy()
        const next = await mysql.createConnection(config)
        const [rows] = await next.query('SELECT 4 AS four')
        await next.end()
        return { error, after: rows }
      }, 50)
      t.match(error, { class: 'Error', code: 'PROTOCOL_SEQUENCE_TIMEOUT', message: 'Query inactivity timeout' })
      t.same(counts, { 'mysql SELECT error /run': 1, 'mysql SELECT ok /run': 1 }, 'the timed-out query once, outcome error, under its route')
    })
  }
})
