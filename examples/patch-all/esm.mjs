// patchAll() in code, ESM: an "orders" service (Fastify) calls an "inventory" service (Express).
// Neither registers vigie; both log the same correlation ID, carried by the outgoing fetch.
//
//   npm run build && node examples/patch-all/esm.mjs
import { once } from 'node:events'
import express from 'express'
import Fastify from 'fastify'
import pino from 'pino'
import { patchAll } from 'vigie'

const unpatch = patchAll({ statsd: { host: '127.0.0.1', port: 8125 } })

const inventoryLog = pino({ base: { service: 'inventory' } })
const inventory = express()
let inventorySaw
inventory.get('/stock/:sku', (req, res) => {
  inventorySaw = req.correlationId
  inventoryLog.info({ correlationId: req.correlationId, sku: req.params.sku }, 'stock checked')
  res.json({ sku: req.params.sku, available: 3 })
})
const inventoryServer = inventory.listen(0, '127.0.0.1')
await once(inventoryServer, 'listening')
const inventoryUrl = `http://127.0.0.1:${inventoryServer.address().port}`

const orders = Fastify({ logger: { base: { service: 'orders' } } })
orders.post('/orders/:sku', async (request) => {
  const stock = await (await fetch(`${inventoryUrl}/stock/${request.params.sku}`)).json()
  request.log.info({ stock }, 'order placed')
  return { ordered: request.params.sku }
})
const ordersUrl = await orders.listen({ port: 0, host: '127.0.0.1' })

const response = await fetch(`${ordersUrl}/orders/A-42`, { method: 'POST', headers: { 'x-request-id': 'example-esm-1' } })
const ordersSaw = response.headers.get('x-request-id')
console.log(`\norders answered ${response.status} with x-request-id ${ordersSaw}; inventory saw ${inventorySaw}:`,
  ordersSaw === inventorySaw ? 'the same ID in both services\' logs' : 'DIFFERENT IDs')
process.exitCode = ordersSaw === inventorySaw ? 0 : 1

await orders.close()
inventoryServer.close()
await unpatch()
