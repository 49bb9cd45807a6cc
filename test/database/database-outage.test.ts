// The database stops while the app serves requests that query it: PostgreSQL shut down at once
// (pg_ctl -m immediate), MariaDB killed. The app answers with its own errors, vigie adds no throw,
// crash, unhandled rejection or warning of its own, the app closes, and once the server is back
// the same pools serve again, each query counted under its route.
import mysql from 'mysql2/promise'
import pg from 'pg'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { until } from '../helpers/until.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { MARIADB_SERVER, startMariaDb } from '../helpers/mariadb.ts'
import { startPostgres } from '../helpers/postgres.ts'
import { queryCounts } from '../helpers/query-counts.ts'
import { needs } from '../helpers/system-packages.ts'

interface Answer { status: number, body: Record<string, unknown> }

/** Keeps `workers` requests in flight against `url` until `stop()` resolves; resolves with every answer. */
function keepAsking (url: string, workers: number): { answers: readonly Answer[], stop: () => Promise<Answer[]> } {
  const answers: Answer[] = []
  const state = { running: true }
  const worker = async (): Promise<void> => {
    while (state.running) {
      const res = await fetch(url)
      answers.push({ status: res.status, body: await res.json() as Record<string, unknown> })
    }
  }
  const all = Promise.all(Array.from({ length: workers }, worker))
  return {
    answers,
    async stop () {
      state.running = false
      await all
      return answers
    },
  }
}

const outages = [
  {
    name: 'PostgreSQL shut down (immediate) through a pg Pool',
    system: 'postgresql',
    async start () {
      const server = await startPostgres()
      const pool = new pg.Pool({ connectionString: server.url('postgres'), max: 4, connectionTimeoutMillis: 2000 })
      return {
        server,
        pool,
        query: async (n: number): Promise<unknown> => (await pool.query('SELECT $1::int AS n', [n])).rows[0],
        slowQuery: async (): Promise<unknown> => (await pool.query('SELECT pg_sleep(10) AS n')).rows[0],
        end: async () => { await pool.end() },
      }
    },
    options: {},
  },
  {
    name: 'MariaDB killed through a mysql2 pool',
    system: 'mysql',
    async start () {
      const server = await startMariaDb()
      const pool = mysql.createPool({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database, connectionLimit: 4, connectTimeout: 2000 })
      return {
        server,
        pool,
        query: async (n: number): Promise<unknown> => (await pool.query('SELECT ? AS n', [n]))[0] as unknown[],
        slowQuery: async (): Promise<unknown> => (await pool.query('SELECT SLEEP(10) AS n'))[0] as unknown[],
        end: async () => { await pool.end() },
      }
    },
    options: needs(MARIADB_SERVER),
  },
] as const

for (const outage of outages) {
  t.test(outage.name, outage.options, async (t) => {
    const unexpected: unknown[] = []
    const onUnexpected = (err: unknown): void => { unexpected.push(err) }
    process.on('unhandledRejection', onUnexpected)
    process.on('uncaughtException', onUnexpected)
    t.teardown(() => {
      process.off('unhandledRejection', onUnexpected)
      process.off('uncaughtException', onUnexpected)
    })
    const db = await outage.start()
    t.teardown(() => db.server.stop())
    // A pg Pool emits 'error' for an idle client whose server went away: a real app listens.
    const poolErrors: unknown[] = []
    if (db.pool instanceof pg.Pool) db.pool.on('error', (err) => poolErrors.push(err))
    const caught: unknown[] = []
    let n = 0
    let slowSent = false
    const { url, app, logs } = await startApp(t, {
      routes (app) {
        app.setErrorHandler(async (error, request, reply) => {
          caught.push(error)
          return await reply.code(503).send({ error: 'database unavailable' })
        })
        app.get('/stock', async (request) => {
          if ((request.query as { slow?: string }).slow === undefined) return { row: await db.query(++n) }
          slowSent = true
          return { row: await db.slowQuery() }
        })
      },
    })

    const before = keepAsking(`${url}/stock`, 4)
    // Some answered before the stop, however slow the machine.
    await until(() => before.answers.some((a) => a.status === 200), 10_000)
    // One query is sure to be running when the server goes (the quick ones may all be between two).
    const slow = fetch(`${url}/stock?slow=1`).then(async (res): Promise<Answer> => ({ status: res.status, body: await res.json() as Record<string, unknown> }))
    await until(() => slowSent, 10_000)
    await sleep(300)
    await db.server.halt()
    await sleep(800)
    const during = [...await before.stop(), await slow]
    t.equal(during.at(-1)?.status, 503, 'the query running when the server went failed: the app\'s own error')
    t.ok(during.some((a) => a.status === 200), 'answers before the stop')
    t.ok(during.some((a) => a.status === 503), 'the app\'s own error once the server is gone')
    t.same(during.filter((a) => a.status !== 200 && a.status !== 503), [], 'no other answer')
    t.same(during.filter((a) => a.status === 503 && a.body.error !== 'database unavailable'), [], 'every failure is the app\'s own body')
    t.ok(caught.length > 0, 'the handler saw the driver\'s errors')
    const foreign = caught.filter((err) => !(err instanceof Error) || String((err as { code?: unknown }).code ?? '').startsWith('VIGIE'))
    t.same(foreign, [], 'each one a driver or socket Error, none of vigie\'s')

    await db.server.restart()
    // The pools drop their broken connections: the first requests after the restart may still fail.
    const after: Answer[] = []
    for (let i = 0; i < 40 && after.filter((a) => a.status === 200).length < 5; i++) {
      const res = await fetch(`${url}/stock`)
      after.push({ status: res.status, body: await res.json() as Record<string, unknown> })
      if (res.status !== 200) await sleep(100)
    }
    t.equal(after.filter((a) => a.status === 200).length, 5, 'served again once the server is back')
    const last = after.at(-1)?.body.row
    t.ok(Array.isArray(last) ? (last as Array<{ n: number }>)[0].n > 0 : (last as { n: number }).n > 0, 'with the driver\'s rows')

    const counts = queryCounts(app.vigie.snapshot())
    const ok = counts[`${outage.system} SELECT ok /stock`] ?? 0
    const failed = counts[`${outage.system} SELECT error /stock`] ?? 0
    const answered = [...during, ...after]
    t.equal(ok, answered.filter((a) => a.status === 200).length, 'each answered query counted ok under its route')
    t.ok(failed > 0 && failed <= answered.filter((a) => a.status === 503).length, `the failed ones counted as errors (${failed})`)
    t.same(Object.keys(counts).filter((key) => !key.endsWith(' /stock')), [], 'nothing counted anywhere else')
    const vigieWarnings = logs.lines.filter((line) => /vigie: .*(hook|observer) failed/.test(String(line.msg)))
    t.same(vigieWarnings, [], 'no hook or observer failed')
    t.ok(logs.lines.some((line) => line.msg === 'query failed' && line.route === '/stock'), 'vigie\'s query failed line, at warn')

    const closed = await Promise.race([app.close().then(() => 'closed'), sleep(5000).then(() => 'timed out')])
    t.equal(closed, 'closed', 'app.close() settles')
    await db.end()
    await sleep(50)
    t.same(unexpected, [], 'no unhandled rejection, no uncaught exception')
  })
}
