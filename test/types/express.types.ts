// Compiled by `npm run test:types` (tsc, no emit): what a TypeScript user of vigie's Express
// middleware and patchAll() sees.
import express, { type Request } from 'express'
import type { StatsD } from 'hot-shots'
import pino from 'pino'
import { clusterPrimary, expressErrorHandler, expressObservability, patchAll, type ExpressObservability, type Snapshot, type StopClusterPrimary, type Unpatch } from 'vigie'

const app = express()
const vigie: ExpressObservability = expressObservability({
  statsd: { host: '127.0.0.1', port: 8125 },
  logger: pino(),
  getUser: (req: Request) => req.headers['x-user'],
  propagation: { targets: ['.example.com', /^api\./] },
})
app.use(vigie)
app.get('/users/:id', (req, res) => {
  const id: string = req.correlationId
  const client: StatsD = vigie.statsd
  client.increment('users.viewed')
  res.json({ id })
})
app.use(expressErrorHandler())
const snapshot: Snapshot | null = vigie.vigie.snapshot()
void snapshot
// @ts-expect-error: vigie.vigie is read-only
vigie.vigie = { snapshot: () => null }
expressObservability({ aggregation: false, getUser: false, exceptionLines: { perInterval: 3 } })
expressObservability({ health: { checks: { db: async () => {} } } })
vigie.vigie.drain()
const closing: Promise<void> = vigie.close()
void closing

const unpatch: Unpatch = patchAll({ statsd: { port: 8125 }, propagation: false, cluster: false })
const stopClusterPrimary: StopClusterPrimary = clusterPrimary()
stopClusterPrimary()
const unpatched: Promise<void> = unpatch()
void unpatched

// @ts-expect-error: the logger must be a pino-like logger
expressObservability({ logger: console.log })
// @ts-expect-error: propagation targets are hostnames, RegExps or a predicate
patchAll({ propagation: { targets: [42] } })
