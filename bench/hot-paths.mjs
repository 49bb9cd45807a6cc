// Micro-benchmark of the per-request pieces the docs quote under "Overhead": the correlation ID
// (taking a valid incoming header, generating a UUID v7), one exception line (record built,
// scrubbed and written by pino), and the check made on each outgoing call inside a request.
// Imports the built package (run `npm run build` first). Writes nothing but the table on stdout.
//
//   node bench/hot-paths.mjs            11 samples per case (about 20 s)
//   node bench/hot-paths.mjs --quick    3 samples

import os from 'node:os'
import pino from 'pino'
import { buildScrubber, loggerOptions } from '../dist/esm/index.js'
import { buildExceptionRecord, exceptionMessage } from '../dist/esm/capture/exception-record.js'
import { resolveCorrelationId } from '../dist/esm/context/correlation-id.js'
import { prepareHttpCall } from '../dist/esm/instrument/http-call-target.js'
import { compilePropagationTargets } from '../dist/esm/options/propagation-targets.js'
import { checkout, profile } from './lib/bodies.mjs'
import { measureAll } from './lib/measure.mjs'

const QUICK = process.argv.includes('--quick')
const SAMPLES = QUICK ? 3 : 11
const MIN_SAMPLE_NS = QUICK ? 2e6 : 5e6

const scrubber = buildScrubber()
const limits = { maxBodyBytes: 8192, maxDepth: 6, maxArrayItems: 50, maxTotalKeys: 1000 }
// A synchronous destination, so the time of the write itself is in the figure.
const devNull = pino.destination({ dest: '/dev/null', sync: true })
const logger = pino(loggerOptions(), devNull)

class PaymentDeclined extends Error {
  constructor (cause) {
    super('card 4111 1111 1111 1111 declined for ana@example.com')
    this.name = 'PaymentDeclined'
    this.code = 'E_DECLINED'
    this.cause = cause
  }
}
const error = new PaymentDeclined(new Error('upstream 402 from psp.example.com'))
const checkoutFacts = {
  correlationId: '0193a5f2-7c1e-7b3a-9f00-5c2d1e8a4b6c',
  error,
  method: 'POST',
  protocol: 'https',
  host: 'shop.example.com',
  url: '/checkout?session=abc&token=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl',
  route: '/checkout',
  headers: {
    host: 'shop.example.com',
    'content-type': 'application/json',
    authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl',
    cookie: 'session=s%3Aabc123; theme=dark',
    'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36',
    accept: 'application/json',
    'x-request-id': '0193a5f2-7c1e-7b3a-9f00-5c2d1e8a4b6c',
  },
  query: { session: 'abc', token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJl' },
  params: {},
  body: checkout,
  remoteAddress: '203.0.113.7',
  statusCode: 500,
  responseTime: 12.345,
  user: { id: profile.id, email: profile.email, roles: profile.roles },
}

const policy = {
  header: 'x-request-id',
  allows: compilePropagationTargets(['.example.com', 'payments.internal']),
  record: () => {},
}
const outgoingArgs = [new URL('https://api.example.com/v1/orders/42'), { method: 'POST', headers: { 'content-type': 'application/json' } }]

const cases = [
  ['correlation ID: valid incoming header', () => resolveCorrelationId('0193a5f2-7c1e-7b3a-9f00-5c2d1e8a4b6c')],
  ['correlation ID: generated (UUID v7)', () => resolveCorrelationId(undefined)],
  ['exception record (checkout, scrubbed)', () => buildExceptionRecord(checkoutFacts, scrubber, limits)],
  ['exception line (record + pino write)', () => { const record = buildExceptionRecord(checkoutFacts, scrubber, limits); logger.error(record, exceptionMessage(record)) }],
  ['outgoing call: target check + header', () => prepareHttpCall(outgoingArgs, 'http:', policy, checkoutFacts.correlationId)],
]

const times = measureAll(cases.map(([, fn]) => fn), { samples: SAMPLES, minSampleNs: MIN_SAMPLE_NS })
console.log(`vigie hot paths — ${os.cpus()[0].model}, ${os.cpus().length} cpus, Node ${process.version}; median of ${SAMPLES} samples of ≥${MIN_SAMPLE_NS / 1e6} ms each`)
console.log('')
console.log(`${'piece'.padEnd(42)}${'µs/call'.padStart(9)}`)
for (const [k, [name]] of cases.entries()) console.log(`${name.padEnd(42)}${(times[k] / 1e3).toFixed(2).padStart(9)}`)
