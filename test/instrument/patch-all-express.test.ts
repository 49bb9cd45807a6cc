// patchAll() and `--import vigie/register` with Express 5 in child processes, against the built
// package, the way an app uses them (Express 4: patch-all-express4.test.ts).
import t from 'tap'
import { runBuiltOutput } from '../helpers/run-built.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'
import { COUNTER, FIXTURES, runFixture } from '../helpers/patch-all-fixture.ts'

t.test('patchAll() refuses a bad Express logger at once', async (t) => {
  const { patchAll } = await import('../../lib/index.ts')
  t.throws(() => patchAll({ logger: { info: () => {} } as never }), { code: 'VIGIE_ERR_INVALID_OPTION', message: /"logger"/ })
})

const EXPRESS_ERROR = 'http_request:1|c|#http_status:500,http_status_class:5xx,method:GET,controller:/boom'

function exceptionLines (stdout: string): any[] {
  return stdout.trim().split('\n').slice(0, -1).map((line) => JSON.parse(line)).filter((line) => line.level === 50)
}

t.test('Express, ESM: patchAll() after a static import instruments apps created afterwards', async (t) => {
  const listener = await startStatsdListener()
  t.teardown(() => listener.close())
  const { stdout, stderr } = runBuiltOutput([`${FIXTURES}/express-esm.mjs`], { STATSD_HOST: '127.0.0.1', STATSD_PORT: String(listener.port) })
  // The fixture prints its result last, but an exception line (JSON on stdout too, with a pino
  // `level`) may land after it.
  const result = stdout.trim().split('\n').map((line) => JSON.parse(line)).findLast((parsed) => !('level' in parsed))
  t.match(result, { status: 200, header: 'pa-1', body: { id: 'pa-1' }, boom: 500, idempotent: true })
  t.notMatch(result.boomBody, /4111|at /, 'the answer to an unhandled error has no stack and no secret')
  t.notMatch(stderr, /4111|Error:/, 'Express\'s final handler printed nothing')
  const [line] = exceptionLines(stdout)
  t.equal(line?.msg, 'exception: Error: card **** **** **** 1111 refused')
  await listener.waitFor((lines) => lines.filter((l) => l.includes('|c|#http')).length >= 2)
  t.same(listener.lines.filter((l) => l.includes('|c|#http_status')).sort(), [COUNTER, EXPRESS_ERROR].sort())
})

t.test('Express, CommonJS: patchAll() instruments an app it never saw', async (t) => {
  const { result, lines } = await runFixture(t, [`${FIXTURES}/express-cjs.cjs`])
  t.same(result, { status: 200, header: 'pa-1', body: { id: 'pa-1' } })
  t.same(lines.filter((l) => l.includes('|c')), [COUNTER])
})

t.test('Express: node --import vigie/register, no code change', async (t) => {
  const { result, lines } = await runFixture(t, ['--import', 'vigie/register', `${FIXTURES}/express-plain.mjs`], { VIGIE_STATSD_PREFIX: 'env.' })
  t.match(result, { status: 200, header: 'pa-1', body: { id: 'pa-1' }, boom: 500 })
  t.same(lines.filter((l) => l.includes('|c|#http_status')).sort(), [`env.${COUNTER}`, `env.${EXPRESS_ERROR}`].sort())
})

t.test('Express: an app that mounts vigie itself as well counts once, with its own options', async (t) => {
  const { result, lines } = await runFixture(t, [`${FIXTURES}/express-esm.mjs`], { ALSO_MOUNT: '1' })
  t.match(result, { status: 200, header: 'pa-1' })
  t.same(lines.filter((l) => l.includes('|c|#http_status')).sort(), [`manual.${COUNTER}`, `manual.${EXPRESS_ERROR}`].sort())
})
