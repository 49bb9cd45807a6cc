import t from 'tap'
import { runBuilt } from '../helpers/run-built.ts'

const FIXTURES = 'test/fixtures/log-injection'
const ENV = { VIGIE_PROCESS_METRICS: 'false', STATSD_PORT: '9' }

type Line = Record<string, unknown> & { msg?: string }

function linesOf (stdout: string): Line[] {
  return stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line)
}

/** Every line the fixture wrote inside a request, with the ID that request was sent with. */
function insideRequests (lines: Line[]): Array<{ line: Line, id: string }> {
  return lines.flatMap((line) => {
    const msg = String(line.msg)
    if (msg.startsWith('fastify: ') || msg === 'incoming request' || msg === 'request completed') return [{ line, id: 'fastify-1' }]
    if (msg.startsWith('express: ')) return [{ line, id: 'express-1' }]
    return []
  })
}

for (const [mode, args] of [
  ['--import vigie/register (ESM)', ['--import', 'vigie/register', `${FIXTURES}/app.mjs`]],
  ['-r vigie/register (CommonJS)', ['-r', 'vigie/register', `${FIXTURES}/app.cjs`]],
] as const) {
  t.test(`${mode}: every line written inside a request carries its ID, once; none outside`, async (t) => {
    const stdout = runBuilt([...args], ENV)
    const lines = linesOf(stdout)
    const inside = insideRequests(lines)
    // Fastify: incoming, request logger, app logger, 3 module loggers, completed; Express: 3 module loggers.
    t.equal(inside.length, 10, 'all the lines written inside requests')
    for (const { line, id } of inside) t.equal(line.correlationId, id, `${String(line.logger ?? '')} "${line.msg}"`)
    for (const raw of stdout.split('\n').filter((l) => l.includes('-1"'))) {
      t.equal(raw.split('"correlationId"').length - 1, 1, 'the key once per line')
    }
    // Each logger has its own destination: their lines reach stdout in any order.
    const outside = lines.filter((l) => l.msg === 'outside any request')
    t.same(outside.map((l) => [l.logger, l.correlationId]).sort(), [['default', undefined], ['module', undefined], ['named', undefined]])
  })
}

t.test('VIGIE_LOG_INJECTION=false: loggers are left as they are; the Fastify request logger is still bound', async (t) => {
  const lines = linesOf(runBuilt(['--import', 'vigie/register', `${FIXTURES}/app.mjs`], { ...ENV, VIGIE_LOG_INJECTION: 'false' }))
  const inside = insideRequests(lines)
  t.equal(inside.length, 10)
  const withId = inside.filter(({ line }) => line.correlationId !== undefined).map(({ line }) => line.msg)
  t.same(withId, ['incoming request', 'fastify: request logger', 'request completed'])
})
