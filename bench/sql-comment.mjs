// Cost of the sqlcommenter comment (`database: { comment: true }`): a sequential `SELECT 1` loop on
// one pg client, run inside a Fastify request, with the comment on and off (two apps, rounds
// alternated), medians of the rounds. Imports the built package (run `npm run build` first).
//
//   PG_URL=postgres://postgres@127.0.0.1:PORT/postgres node bench/sql-comment.mjs [rounds] [queries]

import Fastify from 'fastify'
import pg from 'pg'
import observability from '../dist/esm/index.js'

const url = process.env.PG_URL
if (url === undefined) throw new Error('set PG_URL to a PostgreSQL database')
const rounds = Number(process.argv[2] ?? 12)
const queries = Number(process.argv[3] ?? 3000)

async function app (comment) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  const fastify = Fastify()
  await fastify.register(observability, { processMetrics: false, statsd: { host: '127.0.0.1', port: 9 }, database: { comment } })
  fastify.get('/loop', async () => {
    const start = process.hrtime.bigint()
    for (let i = 0; i < queries; i++) await client.query('SELECT 1')
    return { usPerQuery: Number(process.hrtime.bigint() - start) / 1000 / queries }
  })
  await fastify.listen({ port: 0, host: '127.0.0.1' })
  return { base: `http://127.0.0.1:${fastify.server.address().port}`, close: async () => { await fastify.close(); await client.end() } }
}

const median = (values) => { const s = [...values].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const on = await app(true)
const off = await app(false)
const results = { on: [], off: [] }
for (let round = 0; round < rounds; round++) {
  for (const [name, target] of round % 2 === 0 ? [['off', off], ['on', on]] : [['on', on], ['off', off]]) {
    results[name].push((await (await fetch(`${target.base}/loop`)).json()).usPerQuery)
  }
}
await on.close()
await off.close()
const fmt = (values) => values.map((v) => v.toFixed(1)).join(' ')
console.log(`node ${process.version}, ${rounds} rounds of ${queries} queries`)
console.log(`comment off: median ${median(results.off).toFixed(1)} µs/query (${fmt(results.off)})`)
console.log(`comment on:  median ${median(results.on).toFixed(1)} µs/query (${fmt(results.on)})`)
console.log(`added: ${(median(results.on) - median(results.off)).toFixed(1)} µs/query`)
