// Load generator, run by run.mjs in its own process (pinned to its own core).
// Env: URL, CONNECTIONS (50), DURATION (seconds, 5). Prints "go" when the load starts, then one
// JSON line with the result.
import autocannon from 'autocannon'

const url = process.env.URL
const connections = Number(process.env.CONNECTIONS || 50)
const duration = Number(process.env.DURATION || 5)

process.stdout.write('go\n')
const result = await autocannon({ url, connections, duration, pipelining: 1 })
const requests = result.requests.total
process.stdout.write(JSON.stringify({
  requests,
  seconds: result.duration,
  rps: requests / result.duration,
  p50: result.latency.p50,
  p99: result.latency.p99,
  ok: result['2xx'],
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
}) + '\n')
