// A small shop API instrumented with vigie, used by demo.mjs.
import Fastify from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import observability, { loggerOptions } from 'vigie'

const PRODUCTS = [
  { id: '1', name: 'Espresso cup', price: 12 },
  { id: '2', name: 'Moka pot', price: 39 },
  { id: '3', name: 'Coffee grinder', price: 89 }
]

export class PaymentDeclinedError extends Error {
  name = 'PaymentDeclinedError'
}

/**
 * @param {{
 *   statsd: { host: string, port: number },
 *   logStream?: { write(line: string): unknown },
 *   dashboard?: import('vigie').VigieOptions['dashboard'],
 *   latency?: boolean,
 *   vigie?: import('vigie').FastifyVigieOptions
 * }} options `dashboard`: vigie's dashboard option (off when absent); `latency`: product lookups
 *   take a few milliseconds, as a database would, so response-time charts have a shape; `vigie`:
 *   more of vigie's options (health, SLOs, alerts)
 * @returns {Promise<import('fastify').FastifyInstance>} the app, not listening yet
 */
export async function buildShopApp ({ statsd, logStream = process.stdout, dashboard, latency = false, vigie }) {
  const app = Fastify({ logger: { ...loggerOptions({ level: 'info' }), stream: logStream } })

  await app.register(observability, {
    statsd: { host: statsd.host, port: statsd.port, prefix: 'shop.', globalTags: { env: 'demo' } },
    getUser: (request) => request.headers['x-user'] ? { id: request.headers['x-user'] } : undefined,
    dashboard,
    ...vigie
  })
  const lookup = latency ? () => sleep(2 + Math.random() * Math.random() * 40) : async () => {}

  app.get('/health', async () => ({ status: 'ok' }))

  app.get('/products', async () => {
    await lookup()
    return PRODUCTS
  })

  app.get('/products/:id', async (request, reply) => {
    await lookup()
    const product = PRODUCTS.find((p) => p.id === request.params.id)
    if (!product) {
      reply.code(404)
      return { error: 'not_found', id: request.params.id }
    }
    return product
  })

  app.post('/checkout', async (request) => {
    app.statsd.increment('orders.attempted')
    const { card } = request.body
    // The realistic bug: sensitive input ends up in an error message, which vigie must scrub.
    throw new PaymentDeclinedError(`payment declined for card ${card}`)
  })

  return app
}

/**
 * The shop's health checks, its SLO (99.5 % of answers not 5xx over 30 days, with the SRE
 * Workbook's burn-rate alerts) and one threshold rule: checkout errors over a fifth of the
 * answers in the last minute open a ticket. `plans` says who is told.
 */
export function shopObjectives (plans, evaluationInterval = '1s') {
  return {
    health: { checks: { catalog: async () => PRODUCTS.length } },
    slos: [{ name: 'shop', objective: 99.5, window: '30d', sli: 'availability' }],
    alerts: {
      evaluationInterval,
      rules: [{ name: 'checkout-errors', metric: 'http_request', stat: 'errorRatio', window: '1m', above: 0.2, clear: 0.1, minCount: 5, severity: 'ticket' }],
      plans
    }
  }
}
