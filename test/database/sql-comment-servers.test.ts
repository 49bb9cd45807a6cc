// The sqlcommenter comment (`database: { comment: true }`) seen by the servers themselves:
// PostgreSQL's current_query(), MariaDB's own slow query log; and the parameters each driver
// hook reports (QueryEvent.parameters).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import mysql from 'mysql2'
import mysqlPromise from 'mysql2/promise'
import pg from 'pg'
import QueryStream from 'pg-query-stream'
import t, { type Test } from 'tap'
import { installDriverHooks } from '../../lib/database/driver-hooks.ts'
import type { QueryEvent } from '../../lib/database/query-event.ts'
import { addQueryObserver } from '../../lib/database/query-observers.ts'
import { correlationId } from '../../lib/index.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { MARIADB_SERVER, startMariaDb } from '../helpers/mariadb.ts'
import { startPostgres } from '../helpers/postgres.ts'
import { needs } from '../helpers/system-packages.ts'
import { until } from '../helpers/until.ts'

// Installed as `mysql2-legacy` (npm:mysql2@3.19.1): no TracingChannel, vigie wraps query and execute.
const require = createRequire(import.meta.url)
const mysqlLegacy = require('mysql2-legacy') as typeof import('mysql2')
const mysqlLegacyPromise = require('mysql2-legacy/promise') as typeof import('mysql2/promise')

/** The comment vigie appends for a request: what a DBA greps for. */
const commentFor = (id: string, route: string): string => `/*request_id='${encodeURIComponent(id)}',route='${encodeURIComponent(route)}'*/`

/** Every query the hooks report while the test runs. */
function observeQueries (t: Test): QueryEvent[] {
  const events: QueryEvent[] = []
  t.teardown(addQueryObserver((event) => events.push(event), () => {}))
  return events
}

t.test('PostgreSQL sees the comment inside a request of an app that asks for it, and only there', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const url = await server.createDatabase('shop')
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  t.teardown(() => pool.end())
  const config = { text: 'SELECT current_query() AS q, $1::int AS n', values: [7] }
  const { url: base } = await startApp(t, {
    vigie: { database: { comment: true } },
    routes (app) {
      app.get('/pets/:id', async () => ({ q: (await pool.query('SELECT current_query() AS q')).rows[0].q, id: correlationId() }))
      app.get('/config', async () => ({ q: (await pool.query(config)).rows[0].q, id: correlationId() }))
      app.get('/named', async () => ({ q: (await pool.query({ name: 'cq', text: 'SELECT current_query() AS q' })).rows[0].q, id: correlationId() }))
      app.get('/commented', async () => ({ q: (await pool.query('/* mine */ SELECT current_query() AS q')).rows[0].q, id: correlationId() }))
      app.get('/stream', async () => {
        const client = await pool.connect()
        try {
          const rows: Array<{ q: string }> = []
          for await (const row of client.query(new QueryStream('SELECT current_query() AS q'))) rows.push(row as { q: string })
          return { q: rows[0].q, id: correlationId() }
        } finally {
          client.release()
        }
      })
      // pg calls the callback in the async context of its connection, not the caller's: the ID is read before.
      app.get('/callback', async () => await new Promise((resolve, reject) => {
        const id = correlationId()
        pool.query('SELECT current_query() AS q;', (err: Error | undefined, res: pg.QueryResult) => err !== undefined && err !== null ? reject(err) : resolve({ q: res.rows[0].q, id }))
      }))
    },
  })
  const { url: plainBase } = await startApp(t, {
    routes (app) {
      app.get('/pets/:id', async () => ({ q: (await pool.query('SELECT current_query() AS q')).rows[0].q }))
    },
  })
  const events = observeQueries(t)
  const get = async (path: string, from = base): Promise<{ q: string, id: string }> => await (await fetch(`${from}${path}`)).json() as { q: string, id: string }

  const pets = await get('/pets/3')
  t.ok(pets.id.length > 0, 'the request has a correlation ID')
  t.equal(pets.q, `SELECT current_query() AS q ${commentFor(pets.id, '/pets/:id')}`, 'the text PostgreSQL received ends with the comment')
  const viaConfig = await get('/config')
  t.equal(viaConfig.q, `SELECT current_query() AS q, $1::int AS n ${commentFor(viaConfig.id, '/config')}`, 'a config object: commented')
  t.same(config, { text: 'SELECT current_query() AS q, $1::int AS n', values: [7] }, 'the caller\'s config object is unchanged')
  const viaCallback = await get('/callback')
  t.equal(viaCallback.q, `SELECT current_query() AS q ${commentFor(viaCallback.id, '/callback')};`, 'the callback form; before the final semicolon')
  t.equal((await get('/named')).q, 'SELECT current_query() AS q', 'a named prepared statement: not commented')
  t.equal((await get('/commented')).q, '/* mine */ SELECT current_query() AS q', 'a statement with its own comment: left alone')
  t.equal((await get('/stream')).q, 'SELECT current_query() AS q', 'a submittable (pg-query-stream): not commented')
  t.equal((await get('/pets/4', plainBase)).q, 'SELECT current_query() AS q', 'an app without database.comment: not commented')
  t.equal((await pool.query('SELECT current_query() AS q')).rows[0].q, 'SELECT current_query() AS q', 'outside a request: not commented')

  // What vigie reports (fingerprints, slow-query lines) is the statement the app gave.
  t.notOk(events.some((event) => event.statement.includes('request_id')), 'no reported statement holds the comment')
  t.ok(events.some((event) => event.statement === 'SELECT current_query() AS q' && event.request?.correlationId === pets.id))
})

t.test('PostgreSQL: a hook that throws while commenting, the query runs uncommented, one warning', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  const pool = new pg.Pool({ connectionString: server.url('postgres'), max: 1 })
  t.teardown(() => pool.end())
  const config = { get text (): string { throw new Error('a getter that throws') } }
  const { url: base, logs } = await startApp(t, {
    vigie: { database: { comment: true } },
    routes (app) {
      // The getter throws when vigie reads it, and when pg does: the app gets pg's own way of failing.
      app.get('/odd', async () => await pool.query(config as unknown as string).then(() => 'ran', (err: Error) => err.message))
      app.get('/fine', async () => (await pool.query('SELECT current_query() AS q')).rows[0].q as string)
    },
  })
  t.equal(await (await fetch(`${base}/odd`)).text(), 'a getter that throws', 'the error the app gets is pg\'s (the getter\'s)')
  t.match(await (await fetch(`${base}/fine`)).text(), /^SELECT current_query\(\) AS q \/\*request_id=/, 'the next query is commented')
  const warnings = logs.lines.filter((line) => line.level === 40 && String(line.msg).includes('pg query hook failed'))
  t.equal(warnings.length, 1, 'one warning')
})

t.test('MariaDB\'s own slow query log carries the request\'s correlation ID, mysql2 3.20+ and 3.19', needs(MARIADB_SERVER), async (t) => {
  const logDir = mkdtempSync(join(tmpdir(), 'vigie-slowlog-'))
  t.teardown(() => rmSync(logDir, { recursive: true, force: true }))
  const slowLog = join(logDir, 'slow.log')
  const db = await startMariaDb({ serverArgs: ['--slow-query-log=1', '--long-query-time=0', `--slow-query-log-file=${slowLog}`] })
  t.teardown(() => db.stop())
  const config = { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database }
  t.equal((require('mysql2-legacy/package.json') as { version: string }).version, '3.19.1')
  t.ok(Number((require('mysql2/package.json') as { version: string }).version.split('.')[1]) >= 20, 'mysql2 3.20 or later: the channels')
  const current = mysqlPromise.createPool({ ...config, connectionLimit: 2 })
  const legacy = mysqlLegacyPromise.createPool({ ...config, connectionLimit: 2 })
  const single = mysql.createConnection(config)
  const singleLegacy = mysqlLegacy.createConnection(config)
  t.teardown(async () => {
    await current.end()
    await legacy.end()
    await new Promise((resolve) => single.end(() => resolve(undefined)))
    await new Promise((resolve) => singleLegacy.end(() => resolve(undefined)))
  })
  const options = { sql: 'SELECT ? AS marker_options', values: ['o'] }
  const { url: base } = await startApp(t, {
    vigie: { database: { comment: true } },
    routes (app) {
      app.get('/current/:id', async () => { await current.query('SELECT ? AS marker_current', ['c']); return correlationId() })
      app.get('/legacy/:id', async () => { await legacy.query('SELECT ? AS marker_legacy', ['l']); return correlationId() })
      app.get('/options', async () => { await current.query(options); return correlationId() })
      // mysql2 calls the callback in the async context of its connection: the ID is read before.
      app.get('/callback', async () => await new Promise((resolve, reject) => {
        const id = correlationId()
        single.query('SELECT 1 AS marker_callback', (err) => err !== null ? reject(err) : resolve(id))
      }))
      app.get('/callback-legacy', async () => await new Promise((resolve, reject) => {
        const id = correlationId()
        singleLegacy.query('SELECT 2 AS marker_callback_legacy', (err) => err !== null ? reject(err) : resolve(id))
      }))
      app.get('/execute', async () => { await current.execute('SELECT ? AS marker_execute', [1]); await legacy.execute('SELECT ? AS marker_execute_legacy', [1]); return correlationId() })
    },
  })
  const events = observeQueries(t)
  const get = async (path: string): Promise<string> => await (await fetch(`${base}${path}`)).text()
  const currentId = await get('/current/1')
  const legacyId = await get('/legacy/2')
  const optionsId = await get('/options')
  const callbackId = await get('/callback')
  const callbackLegacyId = await get('/callback-legacy')
  const executeId = await get('/execute')
  t.same(options, { sql: 'SELECT ? AS marker_options', values: ['o'] }, 'the caller\'s options object is unchanged')
  await current.query('SELECT 1 AS marker_outside')

  await until(() => existsSync(slowLog) && readFileSync(slowLog, 'utf8').includes('marker_outside'))
  const log = readFileSync(slowLog, 'utf8')
  // What a DBA does: grep the slow log for the correlation ID from the app's own log line.
  const lineWith = (id: string): string | undefined => log.split('\n').find((line) => line.includes(id))
  t.equal(lineWith(currentId), `SELECT 'c' AS marker_current ${commentFor(currentId, '/current/:id')};`, 'mysql2 3.20+, pool.query')
  t.equal(lineWith(legacyId), `SELECT 'l' AS marker_legacy ${commentFor(legacyId, '/legacy/:id')};`, 'mysql2 3.19, pool.query')
  t.equal(lineWith(optionsId), `SELECT 'o' AS marker_options ${commentFor(optionsId, '/options')};`, 'an options object')
  t.equal(lineWith(callbackId), `SELECT 1 AS marker_callback ${commentFor(callbackId, '/callback')};`, 'a connection\'s callback form')
  t.equal(lineWith(callbackLegacyId), `SELECT 2 AS marker_callback_legacy ${commentFor(callbackLegacyId, '/callback-legacy')};`, 'mysql2 3.19, a connection\'s callback form')
  t.equal(lineWith(executeId), undefined, 'execute: never commented')
  // MariaDB logs an executed prepared statement with its parameters in place.
  t.match(log, /\nSELECT 1 AS marker_execute;\n/, 'the executed statement is in the log, without a comment')
  t.match(log, /\nSELECT 1 AS marker_execute_legacy;\n/)
  t.match(log, /SELECT 1 AS marker_outside;\n/, 'outside a request: no comment')

  t.notOk(events.some((event) => event.statement.includes('request_id')), 'no reported statement holds the comment')
  t.ok(events.some((event) => event.statement === 'SELECT \'c\' AS marker_current' && event.request?.correlationId === currentId), 'mysql2 3.20+: the statement as formatted, without the comment')
  t.ok(events.some((event) => event.statement === 'SELECT \'l\' AS marker_legacy' && event.request?.correlationId === legacyId), 'mysql2 3.19 too')
})

t.test('QueryEvent.parameters: the values as given, on each driver', async (t) => {
  const server = await startPostgres()
  t.teardown(() => server.stop())
  t.teardown(installDriverHooks())
  const events = observeQueries(t)
  const client = new pg.Client({ connectionString: server.url('postgres') })
  await client.connect()
  t.teardown(() => client.end())
  const values = [5, 'five']
  await client.query('SELECT $1::int AS a, $2::text AS b', values)
  await client.query({ text: 'SELECT $1::int AS a', values: [6] })
  await new Promise((resolve) => client.query('SELECT $1::int AS a', [8], resolve))
  const submitted = client.query(new pg.Query('SELECT $1::int AS a', [7]))
  await new Promise((resolve) => submitted.on('end', resolve))
  await client.query('SELECT 1 AS none')
  t.equal(events.length, 5)
  t.equal(events[0].parameters, values, 'query(text, values): the same array')
  t.same(events.slice(1).map((event) => event.parameters), [[6], [8], [7], undefined], 'a config object, the callback form, a submittable; none')
})

t.test('QueryEvent.parameters on mysql2 3.20+ (channels) and 3.19 (wrapper)', needs(MARIADB_SERVER), async (t) => {
  const db = await startMariaDb()
  t.teardown(() => db.stop())
  t.teardown(installDriverHooks())
  const events = observeQueries(t)
  const config = { host: db.host, port: db.port, user: db.user, password: db.password, database: db.database }
  for (const [name, driver] of [['3.20+', mysqlPromise], ['3.19', mysqlLegacyPromise]] as const) {
    events.length = 0
    const connection = await driver.createConnection(config)
    t.teardown(() => connection.end())
    const values = [1, 'x']
    await connection.query('SELECT ? AS a, ? AS b', values)
    await connection.execute('SELECT ? AS a', [2])
    await connection.query({ sql: 'SELECT ? AS a', values: [3] })
    await connection.query('SELECT 4 AS a')
    t.equal(events.length, 4, name)
    t.same(events.map((event) => event.parameters), [[1, 'x'], [2], [3], undefined], `${name}: query, execute, options object; none`)
    t.equal(events[0].parameters, values, `${name}: the array given, untouched`)
  }
})
