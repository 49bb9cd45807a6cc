// What a health probe costs in-process (docs/health.md#overhead): the framework-neutral handler
// answering live and ready, with no check, three checks that do no I/O, the three thresholds, and
// one failing check (its message scrubbed). Medians of 7 rounds of 20,000 answers, in µs.
//
//   npm run build && node bench/health.mjs
import { HealthHandler } from '../dist/esm/health/health-handler.js'
import { resolveOptions } from '../dist/esm/options/resolve-options.js'
import { scrubText } from '../dist/esm/scrub/free-text.js'

const ANSWERS = 20_000
const ROUNDS = 7
const reporter = { report () {} }
const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]

const cases = [
  ['live', true, 'live'],
  ['ready, no check', true, 'ready'],
  ['ready, 3 checks (no I/O)', { checks: { a: async () => {}, b: () => 1, c: async () => {} } }, 'ready'],
  ['ready, 3 thresholds', { thresholds: { eventLoopDelayMs: { fail: 1000 }, heapUsedBytes: { fail: 1e12 }, rssBytes: { fail: 1e12 } } }, 'ready'],
  ['ready, rssBytes only', { thresholds: { rssBytes: { fail: 1e12 } } }, 'ready'],
  ['ready, 1 failing check', { checks: { db: async () => { throw new Error('connect ECONNREFUSED postgres://shop:pg-pass@db/shop') } } }, 'ready'],
]

for (const [name, health, endpoint] of cases) {
  const handler = new HealthHandler(resolveOptions({ health }, {}).health, scrubText, reporter)
  const path = `/_vigie/health/${endpoint}`
  const rounds = []
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now()
    for (let i = 0; i < ANSWERS; i++) await handler.respond(path, 'GET')
    rounds.push((performance.now() - start) * 1000 / ANSWERS)
  }
  handler.close()
  console.log(`${name.padEnd(28)} ${median(rounds).toFixed(1)} µs`)
}
