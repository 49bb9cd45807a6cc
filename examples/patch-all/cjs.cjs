// Zero code, CommonJS: a "gateway" (Express) calls a "pricing" service (Fastify) with http.get.
// Run it with vigie preloaded; neither service mentions vigie, both log the same correlation ID.
//
//   npm run build && node -r vigie/register examples/patch-all/cjs.cjs
const http = require('node:http')
const express = require('express')
const Fastify = require('fastify')

async function main () {
  const pricing = Fastify({ logger: { base: { service: 'pricing' } } })
  let pricingSaw
  pricing.get('/price/:sku', async (request) => {
    pricingSaw = request.correlationId
    request.log.info({ sku: request.params.sku }, 'price looked up')
    return { sku: request.params.sku, cents: 1299 }
  })
  const pricingUrl = await pricing.listen({ port: 0, host: '127.0.0.1' })

  const gateway = express()
  gateway.get('/quote/:sku', (req, res) => {
    http.get(`${pricingUrl}/price/${req.params.sku}`, (upstream) => {
      let body = ''
      upstream.on('data', (chunk) => { body += chunk })
      upstream.on('end', () => {
        console.log(JSON.stringify({ service: 'gateway', correlationId: req.correlationId, msg: 'quote served' }))
        res.json({ quote: JSON.parse(body) })
      })
    })
  })
  const gatewayServer = gateway.listen(0, '127.0.0.1', async () => {
    const url = `http://127.0.0.1:${gatewayServer.address().port}/quote/B-7`
    const response = await fetch(url, { headers: { 'x-request-id': 'example-cjs-1' } })
    const gatewaySaw = response.headers.get('x-request-id')
    console.log(`\ngateway answered ${response.status} with x-request-id ${gatewaySaw}; pricing saw ${pricingSaw}:`,
      gatewaySaw === pricingSaw ? 'the same ID in both services\' logs' : 'DIFFERENT IDs')
    process.exitCode = gatewaySaw === pricingSaw ? 0 : 1
    gatewayServer.close()
    await pricing.close()
  })
}
main()
