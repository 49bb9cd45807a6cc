// What log injection costs a pino line (docs/correlation-id.md#log-injection): the same logger
// writing to a stream that drops its lines, with and without vigie's correlation mixin, inside a
// request's async context and outside one. Medians of 7 interleaved rounds of 300,000 lines.
//
//   npm run build && node bench/log-injection.mjs
import { Writable } from 'node:stream'
import pino from 'pino'
import { runInRequestContext } from '../dist/esm/context/request-context.js'
import { injectCorrelationId } from '../dist/esm/logging/log-injection.js'

const LINES = 300_000
const ROUNDS = 7
const dropping = () => new Writable({ write (_chunk, _encoding, callback) { callback() } })
const plain = pino({}, dropping())
const injected = pino({}, dropping())
injectCorrelationId(injected)
const store = { correlationId: '0190a6b2-5c1e-7d4a-8f00-3b2a1c0d9e8f', outgoing: null }

function nsPerLine (log) {
  const start = process.hrtime.bigint()
  for (let i = 0; i < LINES; i++) log.info({ i }, 'line')
  return Number(process.hrtime.bigint() - start) / LINES
}

const rounds = { inside: { plain: [], injected: [] }, outside: { plain: [], injected: [] } }
for (let r = 0; r < ROUNDS; r++) {
  runInRequestContext(store, () => {
    rounds.inside.plain.push(nsPerLine(plain))
    rounds.inside.injected.push(nsPerLine(injected))
  })
  rounds.outside.plain.push(nsPerLine(plain))
  rounds.outside.injected.push(nsPerLine(injected))
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
console.log(`log injection, Node ${process.version}, ns per line (median of ${ROUNDS} rounds of ${LINES} lines)`)
for (const [where, { plain: p, injected: i }] of Object.entries(rounds)) {
  console.log(`${where.padEnd(8)} a request: plain ${median(p).toFixed(0)}, injected ${median(i).toFixed(0)}, +${(median(i) - median(p)).toFixed(0)}`)
}
