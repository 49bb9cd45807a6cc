// One exception line on a real Fastify server when the request holds wide objects: a getUser that
// returns a 1,000,000-key object, and a JSON body of 1,000,000 keys (17 MB; Fastify's body limit
// raised). Reports vigie's part only: the wall and CPU time from getUser's return to the line's
// write (building, scrubbing and serializing the record). Parsing the body is Fastify's cost.
// Imports the built package (run `npm run build` first), or the dist/esm of another build.
//
//   node bench/wide-capture.mjs [--rounds=5] [--keys=1000000] [--dist=/path/to/dist/esm]

import Fastify from 'fastify'
import os from 'node:os'
import { Writable } from 'node:stream'
import { pathToFileURL } from 'node:url'

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}
const ROUNDS = Number(arg('rounds', '5'))
const KEYS = Number(arg('keys', '1000000'))
const dist = arg('dist', undefined)
const { observability, loggerOptions } = await import(dist === undefined ? '../dist/esm/index.js' : pathToFileURL(`${dist}/index.js`).href)

function wide (keys) {
  const object = {}
  for (let i = 0; i < keys; i++) object[`k${i}`] = i
  return object
}
const wideUser = wide(KEYS)
const wideBody = JSON.stringify(wideUser)
const cpuMs = () => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

let returnUser = false
let userReturned = { wall: 0, cpu: 0 }
let written = { wall: 0, cpu: 0, bytes: 0 }
let lineWritten = () => {}
const stream = new Writable({
  write (chunk, _encoding, callback) {
    if (chunk.includes('"msg":"exception: ')) {
      written = { wall: performance.now(), cpu: cpuMs(), bytes: chunk.length }
      lineWritten()
    }
    callback()
  },
})
const app = Fastify({ logger: { ...loggerOptions({ level: 'error' }), stream }, bodyLimit: 64 * 1024 * 1024 })
await app.register(observability, {
  processMetrics: false,
  aggregation: false,
  statsd: { host: '127.0.0.1', port: 9 },
  getUser () {
    const user = returnUser ? wideUser : { id: 'u-1' }
    userReturned = { wall: performance.now(), cpu: cpuMs() }
    return user
  },
})
app.post('/fail', async () => { throw new Error('import failed') })
await app.listen({ port: 0, host: '127.0.0.1' })
const url = `http://127.0.0.1:${app.server.address().port}/fail`

async function oneLine (body, wideUserWanted) {
  returnUser = wideUserWanted
  const line = new Promise((resolve) => { lineWritten = resolve })
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
  await res.arrayBuffer()
  await line
  return { wall: written.wall - userReturned.wall, cpu: written.cpu - userReturned.cpu, bytes: written.bytes }
}

const cases = [
  ['small body and user', '{"a":1}', false],
  [`${KEYS / 1000}k-key getUser`, '{"a":1}', true],
  [`${KEYS / 1000}k-key JSON body`, wideBody, false],
]
const results = cases.map(() => [])
for (let round = 0; round <= ROUNDS; round++) {
  for (const [k, [, body, user]] of cases.entries()) {
    const sample = await oneLine(body, user)
    if (round > 0) results[k].push(sample) // round 0 warms up
  }
}
await app.close()

const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const pad = (s, n) => String(s).padEnd(n)
const lpad = (s, n) => String(s).padStart(n)
console.log(`vigie wide-capture bench — ${os.cpus()[0].model}, ${os.cpus().length} cpus, Node ${process.version}, load ${os.loadavg()[0].toFixed(1)}; ${dist ?? 'dist/esm'}; median of ${ROUNDS} lines`)
console.log(`${pad('case', 24)}${lpad('wall ms', 9)}${lpad('CPU ms', 9)}${lpad('line bytes', 12)}`)
for (const [k, [name]] of cases.entries()) {
  const samples = results[k]
  console.log(`${pad(name, 24)}${lpad(median(samples.map((s) => s.wall)).toFixed(1), 9)}${lpad(median(samples.map((s) => s.cpu)).toFixed(1), 9)}${lpad(samples[0].bytes, 12)}`)
}
