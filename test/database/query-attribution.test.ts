// Concurrent requests on two routes, each sending a pg query and a mysql2 query that sleep a
// random few milliseconds, so that requests overlap and connections pass from one request to
// another in small pools: every query must be counted under the route that sent it. Express 5
// and 4 with nested routers, and Fastify with nested prefixed plugins, on real servers.
import type { Router } from 'express'
import mysql from 'mysql2/promise'
import pg from 'pg'
import t, { type Test } from 'tap'
import { EXPRESS_VERSIONS, startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { MARIADB_SERVER, startMariaDb } from '../helpers/mariadb.ts'
import { startPostgres } from '../helpers/postgres.ts'
import { queryCounts } from '../helpers/query-counts.ts'
import { needs } from '../helpers/system-packages.ts'

const REQUESTS = 50

/** Sleeps of 0 to 20 ms, fixed per request index (a seeded sequence: reruns send the same load). */
function sleeps (n: number): number[] {
  let seed = 0x2545f491
  return Array.from({ length: n }, () => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5
    return ((seed >>> 0) % 21) / 1000
  })
}

interface Databases {
  pgPool: pg.Pool
  mysqlPool: mysql.Pool
}

/** The two handlers: a pg query then a mysql2 query, each sleeping `s` seconds, answering what both returned. */
async function pets (db: Databases, id: number, s: number): Promise<unknown> {
  const { rows } = await db.pgPool.query('SELECT $1::int AS pet, pg_sleep($2)', [id, s])
  const [stock] = await db.mysqlPool.query('SELECT ? AS pet, SLEEP(?) AS slept', [id, s])
  return { pg: rows[0].pet, mysql: (stock as Array<{ pet: number }>)[0].pet }
}

async function orders (db: Databases, id: number, s: number): Promise<unknown> {
  const [rows] = await db.mysqlPool.execute('SELECT ? AS orderId, SLEEP(?) AS slept', [id, s])
  const { rows: more } = await db.pgPool.query('SELECT $1::int AS "orderId", pg_sleep($2)', [id, s])
  return { mysql: (rows as Array<{ orderId: number }>)[0].orderId, pg: more[0].orderId }
}

/** Fires REQUESTS interleaved requests (even: pets, odd: orders) at once; checks every answer. */
async function fire (t: Test, base: string, petsPath: string, ordersPath: string): Promise<void> {
  const delays = sleeps(REQUESTS)
  const answers = await Promise.all(delays.map(async (s, i) => {
    const res = await fetch(`${base}${i % 2 === 0 ? petsPath : ordersPath}/${i}?s=${s}`)
    return { status: res.status, body: await res.json() }
  }))
  const wrong = answers.filter(({ status, body }, i) => status !== 200 || body.pg !== i || body.mysql !== i)
  t.same(wrong, [], `all ${REQUESTS} requests answered with their own rows`)
}

/** Every query of the run under its own route: 25 pg and 25 mysql2 per route, nothing else. */
function assertAttributed (t: Test, counts: Record<string, number>, petsRoute: string, ordersRoute: string): void {
  const half = REQUESTS / 2
  t.same(counts, {
    [`postgresql SELECT ok ${petsRoute}`]: half,
    [`mysql SELECT ok ${petsRoute}`]: half,
    [`postgresql SELECT ok ${ordersRoute}`]: half,
    [`mysql SELECT ok ${ordersRoute}`]: half,
  }, 'each query under the route that sent it, none under the other, none under none')
}

t.test('concurrent requests on two routes: every query under its own route', needs(MARIADB_SERVER), async (t) => {
  const [postgres, mariadb] = await Promise.all([startPostgres(), startMariaDb()])
  t.teardown(() => Promise.all([postgres.stop(), mariadb.stop()]))
  // Small pools: a waiting request gets the connection another request released.
  const db: Databases = {
    pgPool: new pg.Pool({ connectionString: postgres.url('postgres'), max: 3 }),
    mysqlPool: mysql.createPool({ host: mariadb.host, port: mariadb.port, user: mariadb.user, password: mariadb.password, database: mariadb.database, connectionLimit: 3 }),
  }
  t.teardown(async () => { await Promise.all([db.pgPool.end(), db.mysqlPool.end()]) })
  const params = (req: { params: Record<string, string>, query: unknown }): [number, number] =>
    [Number(req.params.id), Number((req.query as { s: string }).s)]

  for (const [name, express] of EXPRESS_VERSIONS) {
    t.test(`${name}, nested routers`, async (t) => {
      const { url, vigie } = await startExpressApp(t, express, {
        routes (app) {
          const api: Router = express.Router()
          const v1: Router = express.Router({ mergeParams: true })
          v1.get('/pets/:id', (req, res, next) => { pets(db, ...params(req)).then((body) => res.json(body), next) })
          v1.get('/orders/:id', (req, res, next) => { orders(db, ...params(req)).then((body) => res.json(body), next) })
          api.use('/v1', v1)
          app.use('/api', api)
        },
      })
      await fire(t, url, '/api/v1/pets', '/api/v1/orders')
      assertAttributed(t, queryCounts(vigie.vigie.snapshot()), '/api/v1/pets/:id', '/api/v1/orders/:id')
    })
  }

  t.test('fastify, nested prefixed plugins', async (t) => {
    const { url, app } = await startApp(t, {
      routes (app) {
        app.register(async (api) => {
          api.register(async (v1) => {
            v1.get('/pets/:id', async (request) => await pets(db, ...params(request as never)))
            v1.get('/orders/:id', async (request) => await orders(db, ...params(request as never)))
          }, { prefix: '/v1' })
        }, { prefix: '/api' })
      },
    })
    await fire(t, url, '/api/v1/pets', '/api/v1/orders')
    assertAttributed(t, queryCounts(app.vigie.snapshot()), '/api/v1/pets/:id', '/api/v1/orders/:id')
  })
})
