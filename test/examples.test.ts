// The examples run as a user runs them (against the built package) and do what their README says.
import t from 'tap'
import { runBuiltOutput } from './helpers/run-built.js'

function jsonLines (stdout: string): Array<Record<string, any>> {
  return stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line))
}

t.test('examples/patch-all/esm.mjs: two services log the same correlation ID', async (t) => {
  const { stdout } = runBuiltOutput(['examples/patch-all/esm.mjs'], { STATSD_PORT: '9' })
  const lines = jsonLines(stdout)
  t.equal(lines.find((l) => l.msg === 'stock checked')?.correlationId, 'example-esm-1', 'inventory (Express)')
  t.equal(lines.find((l) => l.msg === 'order placed')?.correlationId, 'example-esm-1', 'orders (Fastify)')
  t.match(stdout, /inventory saw example-esm-1: the same ID in both services' logs/)
})

t.test('examples/patch-all/cjs.cjs with -r vigie/register: two services log the same correlation ID', async (t) => {
  const { stdout } = runBuiltOutput(['-r', 'vigie/register', 'examples/patch-all/cjs.cjs'], { STATSD_PORT: '9' })
  const lines = jsonLines(stdout)
  t.equal(lines.find((l) => l.msg === 'price looked up')?.correlationId, 'example-cjs-1', 'pricing (Fastify)')
  t.equal(lines.find((l) => l.msg === 'quote served')?.correlationId, 'example-cjs-1', 'gateway (Express)')
  t.match(stdout, /pricing saw example-cjs-1: the same ID in both services' logs/)
})
