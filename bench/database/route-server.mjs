// The server of bench/database.mjs's route measurement: Fastify, logger on (level info to
// /dev/null), `GET /query` writes one line with request.log.info and answers the rows of one
// `SELECT 1` on a pool of 10 connections, on DRIVER with VARIANT (variant.mjs). Prints "ready",
// and on SIGTERM closes and prints one JSON line: requests served and queries the variant saw.
import { counted, fastifyApp, openPool, shutdown } from './variant.mjs'

const pool = openPool(process.env.DB_URL, 10)
const app = await fastifyApp()
let served = 0
app.get('/query', async (request) => {
  request.log.info({ n: served }, 'querying')
  const rows = await pool.query()
  served++
  return rows
})
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
process.stdout.write('ready\n')
process.once('SIGTERM', async () => {
  const seen = counted(app)
  await app.close()
  await pool.end()
  await shutdown()
  process.stdout.write(JSON.stringify({ served, counted: seen }) + '\n', () => process.exit(0))
})
