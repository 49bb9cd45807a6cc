// A small shop API instrumented with vigie, on a real PostgreSQL database through `pg`, used by
// demo.mjs (which starts the database: examples/support/postgres.mjs).
import Fastify from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import observability, { loggerOptions } from 'vigie'

// Created at start when missing; the seed goes in once (the demo builds two apps on one database).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS products (id integer PRIMARY KEY, name text NOT NULL, price integer NOT NULL);
CREATE TABLE IF NOT EXISTS orders (id serial PRIMARY KEY, customer text, status text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS order_items (order_id integer NOT NULL REFERENCES orders (id),
  product_id integer NOT NULL REFERENCES products (id), quantity integer NOT NULL);
CREATE INDEX IF NOT EXISTS order_items_order_id ON order_items (order_id);`

const SEED = `
INSERT INTO products (id, name, price) VALUES (1, 'Espresso cup', 12), (2, 'Moka pot', 39), (3, 'Coffee grinder', 89);
INSERT INTO orders (customer, status, created_at)
  SELECT 'u-' || n, 'paid', now() - n * interval '1 hour' FROM generate_series(1, 30) AS n;
INSERT INTO order_items (order_id, product_id, quantity)
  SELECT id, id % 3 + 1, id % 2 + 1 FROM orders
  UNION ALL SELECT id, (id + 1) % 3 + 1, 1 FROM orders WHERE id % 2 = 0;`

/** How many orders GET /orders lists: each one's items are loaded by a query of its own. */
export const ORDERS_LISTED = 25

export class PaymentDeclinedError extends Error {
  name = 'PaymentDeclinedError'
}

/**
 * @param {{
 *   statsd: { host: string, port: number },
 *   database: import('pg').PoolConfig,
 *   logStream?: { write(line: string): unknown },
 *   dashboard?: import('vigie').VigieOptions['dashboard'],
 *   latency?: boolean,
 *   vigie?: import('vigie').FastifyVigieOptions
 * }} options `database`: where the shop's PostgreSQL is (`pg.Pool`'s options); `dashboard`:
 *   vigie's dashboard option (off when absent); `latency`: product lookups take a few more
 *   milliseconds, as on a busy database, so response-time charts have a shape; `vigie`: more of
 *   vigie's options (SLOs, alerts)
 * @returns {Promise<import('fastify').FastifyInstance>} the app, not listening yet; its schema and
 *   seed are in the database; closing it ends its pool
 */
export async function buildShopApp ({ statsd, database, logStream = process.stdout, dashboard, latency = false, vigie }) {
  const app = Fastify({ logger: { ...loggerOptions({ level: 'info' }), stream: logStream } })
  const pool = new pg.Pool({ ...database, max: 10 })
  // An idle connection the server ends (a restart; the demo stopping it) must not crash the app.
  pool.on('error', (err) => app.log.warn({ err }, 'idle database connection lost'))
  app.addHook('onClose', () => pool.end())

  await app.register(observability, {
    statsd: { host: statsd.host, port: statsd.port, prefix: 'shop.', globalTags: { env: 'demo' } },
    getUser: (request) => request.headers['x-user'] ? { id: request.headers['x-user'] } : undefined,
    dashboard,
    health: { checks: { catalog: async () => (await pool.query('SELECT count(*)::int AS n FROM products')).rows[0].n } },
    ...vigie
  })
  // A startup migration: vigie counts its queries under controller `none`.
  await pool.query(SCHEMA)
  if ((await pool.query('SELECT count(*)::int AS n FROM products')).rows[0].n === 0) await pool.query(SEED)

  const busy = latency ? () => sleep(2 + Math.random() * Math.random() * 40) : async () => {}
  const PRODUCT = 'SELECT id::text AS id, name, price FROM products'

  app.get('/health', async () => ({ status: 'ok' }))

  app.get('/products', async () => {
    await busy()
    return (await pool.query(`${PRODUCT} ORDER BY id`)).rows
  })

  app.get('/products/:id', async (request, reply) => {
    await busy()
    const { id } = request.params
    const product = /^\d{1,9}$/.test(id) ? (await pool.query(`${PRODUCT} WHERE id = $1`, [Number(id)])).rows[0] : undefined
    if (!product) {
      reply.code(404)
      return { error: 'not_found', id }
    }
    return product
  })

  app.post('/checkout', async (request) => {
    app.statsd.increment('orders.attempted')
    const { card } = request.body
    await pool.query('INSERT INTO orders (customer, status) VALUES ($1, $2)', [request.headers['x-user'] ?? null, 'payment_declined'])
    // The realistic bug: sensitive input ends up in an error message, which vigie must scrub.
    throw new PaymentDeclinedError(`payment declined for card ${card}`)
  })

  // The N+1 bug: one query for the orders, then one more per order for its items (a join, or
  // `WHERE order_id = ANY($1)`, would take one). vigie's `possible N+1` line points at it.
  app.get('/orders', async () => {
    const { rows: orders } = await pool.query('SELECT id, customer, status FROM orders ORDER BY id LIMIT $1', [ORDERS_LISTED])
    for (const order of orders) {
      const { rows } = await pool.query(
        'SELECT p.name, i.quantity, p.price FROM order_items i JOIN products p ON p.id = i.product_id WHERE i.order_id = $1', [order.id])
      order.items = rows
    }
    return orders
  })

  // The slow report: sales by product. pg_sleep(0.6) stands for the scan of a large table, so
  // that it takes longer than vigie's database.slowQueryMs (500) and gets a `slow query` line.
  app.get('/reports/sales', async () => {
    const { rows } = await pool.query(`
      SELECT p.name, sum(i.quantity)::int AS units, sum(i.quantity * p.price)::int AS revenue
      FROM order_items i JOIN products p ON p.id = i.product_id, pg_sleep(0.6)
      GROUP BY p.name ORDER BY revenue DESC`)
    return rows
  })

  return app
}

/**
 * The shop's SLO (99.5 % of answers not 5xx over 30 days, with the SRE Workbook's burn-rate
 * alerts) and one threshold rule: checkout errors over a fifth of the answers in the last minute
 * open a ticket. `plans` says who is told. (Its readiness check, the catalog in the database, is
 * always on: see buildShopApp.)
 */
export function shopObjectives (plans, evaluationInterval = '1s') {
  return {
    slos: [{ name: 'shop', objective: 99.5, window: '30d', sli: 'availability' }],
    alerts: {
      evaluationInterval,
      rules: [{ name: 'checkout-errors', metric: 'http_request', stat: 'errorRatio', window: '1m', above: 0.2, clear: 0.1, minCount: 5, severity: 'ticket' }],
      plans
    }
  }
}
