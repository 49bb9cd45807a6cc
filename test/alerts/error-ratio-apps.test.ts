import t from 'tap'
import type { ThresholdRule } from '../../lib/types.ts'
import { EXPRESS_VERSIONS, startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { until } from '../helpers/until.ts'

// Real servers over real sockets: a route that fails drives an errorRatio rule to firing, answers
// that succeed bring it back to ok. The rules are evaluated every second, on their own timer.

const RULE: ThresholdRule = { name: 'api-errors', stat: 'errorRatio', window: '1m', above: 0.5, clear: 0.3, minCount: 5, severity: 'page' }

const statusOf = async (url: string): Promise<number> => (await fetch(url)).status

t.test('Fastify: failing answers fire the rule, good ones resolve it; the lines, the counter and app.vigie.alerts()', async (t) => {
  const started = Date.now()
  const { app, url, logs, statsd } = await startApp(t, {
    vigie: { alerts: { evaluationInterval: '1s', rules: [RULE] } },
    routes: (app) => {
      app.get('/ok', async () => 'ok')
      app.get('/fail', async () => {
        throw new Error('database down')
      })
    },
  })
  const [initial] = app.vigie.alerts()
  t.match(initial, { name: 'api-errors', state: 'ok', value: null, severity: 'page' })
  t.ok(initial!.since >= started && initial!.since <= Date.now())

  // Each check waits for the evaluation that saw every answer sent before it: on a busy machine the
  // timer can also fire between two of them.
  const evaluated = async (value: number): Promise<void> => await until(() => app.vigie.alerts()[0]!.value === value, 5000)
  for (let i = 0; i < 4; i++) t.equal(await statusOf(`${url}/fail`), 500)
  await evaluated(1)
  t.match(app.vigie.alerts()[0], { state: 'ok', value: 1 }, 'four failures: under minCount, no alert')

  for (let i = 0; i < 6; i++) t.equal(await statusOf(`${url}/fail`), 500)
  await until(() => app.vigie.alerts()[0]!.state === 'firing', 5000)
  t.match(app.vigie.alerts()[0], { state: 'firing', value: 1 })

  for (let i = 0; i < 8; i++) t.equal(await statusOf(`${url}/ok`), 200)
  await evaluated(10 / 18)
  t.match(app.vigie.alerts()[0], { state: 'firing', value: 10 / 18 }, '0.56: over the threshold still')
  for (let i = 0; i < 10; i++) t.equal(await statusOf(`${url}/ok`), 200)
  await evaluated(10 / 28)
  t.match(app.vigie.alerts()[0], { state: 'firing', value: 10 / 28 }, '0.36: under the threshold, over clear: no flapping')
  for (let i = 0; i < 12; i++) t.equal(await statusOf(`${url}/ok`), 200)
  await evaluated(10 / 40)
  t.match(app.vigie.alerts()[0], { state: 'ok', value: 0.25 })

  const lines = logs.lines.filter((line) => line.alert !== undefined)
  t.match(lines, [
    { level: 40, msg: 'alert firing', alert: { rule: 'api-errors', state: 'firing', previous: 'ok', value: 1, threshold: 0.5, severity: 'page' } },
    { level: 30, msg: 'alert resolved', alert: { rule: 'api-errors', state: 'ok', previous: 'firing', threshold: 0.5, severity: 'page' } },
  ])
  const resolvedAt: number = lines[1]?.alert?.value ?? NaN
  t.ok(resolvedAt >= 0.25 && resolvedAt <= 0.3, `resolved at or below clear (0.3), after some of the last 12 answers: ${resolvedAt}`)
  t.equal(lines.length, 2, 'one line per change')
  t.equal(lines[0]!.correlationId, undefined, 'written off the request path: no request\'s ID')
  await statsd.waitFor((received) => received.some((line) => line.startsWith('alert.transition:1|c|#rule:api-errors,severity:page,state:ok')))
  t.same(statsd.lines.filter((line) => line.startsWith('alert.transition')), [
    'alert.transition:1|c|#rule:api-errors,severity:page,state:firing',
    'alert.transition:1|c|#rule:api-errors,severity:page,state:ok',
  ])
})

for (const [version, express] of EXPRESS_VERSIONS) {
  t.test(`${version}: middleware.vigie.alerts() follows the same rule`, async (t) => {
    const { vigie, url, logs } = await startExpressApp(t, express, {
      vigie: { alerts: { evaluationInterval: '1s', rules: [RULE] } },
      routes: (app) => {
        app.get('/fail', () => {
          throw new Error('database down')
        })
      },
    })
    for (let i = 0; i < 5; i++) t.equal(await statusOf(`${url}/fail`), 500)
    await until(() => vigie.vigie.alerts()[0]!.state === 'firing', 5000)
    t.match(logs.lines.find((line) => line.msg === 'alert firing'), { level: 40, alert: { rule: 'api-errors', value: 1 } })
  })
}

t.test('no rule: alerts() is []', async (t) => {
  const { app } = await startApp(t)
  t.same(app.vigie.alerts(), [])
})
