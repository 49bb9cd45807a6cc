import express from 'express'
import t from 'tap'
import { composeVigie } from '../../lib/compose.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import { ProcessSampler } from '../../lib/process-metrics/process-sampler.ts'
import { startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { assertPlausibleGauges, hasEveryGauge, processGauges } from '../helpers/process-gauges.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const quietLogger = { info: () => {}, error: () => {}, warn: () => {} }

// Started now, checked last: it needs two intervals of real time, spent while the apps run.
const closing = (async () => {
  const listener = await startStatsdListener()
  const vigie = composeVigie(resolveOptions({ statsd: { host: '127.0.0.1', port: listener.port, bufferFlushInterval: 10 }, processMetrics: { intervalMs: 1000 } }, {}), quietLogger)
  await listener.waitFor(hasEveryGauge)
  await vigie.close()
  const atClose = listener.lines.length
  await sleep(1300)
  await listener.close()
  return { atClose, lines: listener.lines }
})()

t.test('a Fastify app sends every process gauge (on by default; the test helpers turn it off)', async (t) => {
  const { statsd } = await startApp(t, { vigie: { processMetrics: true }, routes: (app) => app.get('/', async () => 'ok') })
  await statsd.waitFor(hasEveryGauge)
  assertPlausibleGauges(t, statsd.lines)
})

t.test('an Express app sends every process gauge (on by default; the test helpers turn it off)', async (t) => {
  const { statsd } = await startExpressApp(t, express, { vigie: { processMetrics: true }, routes: (app) => app.get('/', (_req, res) => { res.send('ok') }) })
  await statsd.waitFor(hasEveryGauge)
  assertPlausibleGauges(t, statsd.lines)
})

t.test('a Fastify app and an Express app in one process share one sampler, and each client gets the gauges', async (t) => {
  const fastify = await startApp(t, { vigie: { processMetrics: { intervalMs: 1000 } }, routes: (app) => app.get('/', async () => 'ok') })
  const expressApp = await startExpressApp(t, express, { vigie: { processMetrics: { intervalMs: 2000 } }, routes: (app) => app.get('/', (_req, res) => { res.send('ok') }) })
  await Promise.all([fastify.statsd.waitFor(hasEveryGauge), expressApp.statsd.waitFor(hasEveryGauge)])
  assertPlausibleGauges(t, fastify.statsd.lines)
  assertPlausibleGauges(t, expressApp.statsd.lines)
  const warnings = expressApp.logs.lines.filter((line) => String(line.msg).includes('processMetrics.intervalMs'))
  t.match(warnings, [{ msg: /already sampled every 1000 ms for another app of this process; processMetrics\.intervalMs 2000 is not used/ }],
    'the second app joins the running sampler, whose interval it cannot change')
})

t.test('no sampler runs with VIGIE_DISABLED or processMetrics: false', async (t) => {
  const starts = t.capture(ProcessSampler.prototype, 'start', ProcessSampler.prototype.start)
  const vigies = [
    composeVigie(resolveOptions({ statsd: { port: 9 } }, { VIGIE_DISABLED: '1' }), quietLogger),
    composeVigie(resolveOptions({ statsd: { port: 9 }, processMetrics: false }, {}), quietLogger),
  ]
  t.equal(starts.args().length, 0)
  vigies.push(composeVigie(resolveOptions({ statsd: { port: 9 } }, {}), quietLogger))
  t.equal(starts.args().length, 1, 'while one with the defaults starts the sampler')
  await Promise.all(vigies.map((vigie) => vigie.close()))
})

t.test('close() stops the gauges', async (t) => {
  const { atClose, lines } = await closing
  t.ok(processGauges(lines.slice(0, atClose)).size > 0, 'gauges came before close()')
  t.same(lines.slice(atClose), [], 'none in the 1.3 s after it, with a 1 s interval')
})
