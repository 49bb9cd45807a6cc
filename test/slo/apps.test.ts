// app.vigie.slos() over real servers and sockets: Fastify and both Express majors count the
// requests they really served, 5xx and aborts included, and leave out what vigie does not count.
import { request } from 'node:http'
import t, { type Test } from 'tap'
import { EXPRESS_VERSIONS, startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { until } from '../helpers/until.ts'
import type { SloDefinition, SloStatus } from '../../lib/types.ts'

const SLOS: SloDefinition[] = [
  { name: 'availability', objective: 99, window: '30d', sli: 'availability' },
  { name: 'fast', objective: 90, window: '1d', sli: { latency: { thresholdMs: 150 } } },
  { name: 'users', objective: 99.9, window: '7d', sli: 'availability', controllers: ['/users/:id'] },
]

/** A request whose client goes away before the slow route answers: vigie counts it 499. */
function abort (url: string): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${url}/slow`)
    req.on('error', () => resolve())
    req.end()
    setTimeout(() => { req.destroy(); resolve() }, 50)
  })
}

async function exercise (url: string, slos: () => SloStatus[]): Promise<void> {
  for (let i = 0; i < 6; i++) await (await fetch(`${url}/users/${i}`)).text()
  for (let i = 0; i < 2; i++) await (await fetch(`${url}/fail`)).text()
  await (await fetch(`${url}/slow`)).text()
  await (await fetch(`${url}/nowhere`)).text()
  await (await fetch(`${url}/ignored`)).text()
  await abort(url)
  await until(() => slos()[0]!.total >= 10)
}

function check (t: Test, statuses: SloStatus[]): void {
  const [availability, fast, users] = statuses
  // 6 users + 2 failures + 1 slow + 1 not found; the aborted one and the ignored path are not counted.
  t.match(availability, { name: 'availability', total: 10, good: 8, sli: 0.8 })
  t.ok(Math.abs(availability!.errorBudget.remaining! - (1 - 2 / (10 * 0.01))) < 1e-9, 'the budget: 2 bad of 10 against 1% allowed')
  t.ok(Math.abs(availability!.burnRates['5m']! - 20) < 1e-9, 'a burn rate of 20 over 5 minutes')
  t.match(fast, { total: 10, good: 9 }, 'the slow answer is the one over 150 ms; a fast 500 is in time')
  t.match(users, { total: 6, good: 6, sli: 1, errorBudget: { remaining: 1 } }, 'only its controller')
  t.ok(availability!.coverage > 0 && availability!.coverage < 0.001)
  // One minute seen, or two when the requests straddle a minute's turn.
  t.ok([1, 2].some((minutes) => Math.abs(users!.coverage - minutes / (7 * 1440)) < 1e-12), `coverage: one or two minutes of the 7-day window (${users!.coverage})`)
}

t.test('Fastify: app.vigie.slos() reflects the requests served', async (t) => {
  const { app, url } = await startApp(t, {
    vigie: { slos: SLOS, ignore: ['/ignored'] },
    routes: (app) => {
      app.get('/users/:id', async () => ({ ok: true }))
      app.get('/fail', async () => { throw new Error('down') })
      app.get('/slow', async () => { await new Promise((resolve) => setTimeout(resolve, 300)); return 'late' })
      app.get('/ignored', async () => 'ignored')
    },
  })
  t.same(app.vigie.slos().map((s) => s.total), [0, 0, 0], 'nothing yet')
  await exercise(url, () => app.vigie.slos())
  // The aborted request ends once the slow handler answers into the closed socket.
  await new Promise((resolve) => setTimeout(resolve, 400))
  check(t, app.vigie.slos())
})

for (const [version, express] of EXPRESS_VERSIONS) {
  t.test(`${version}: middleware.vigie.slos() reflects the requests served`, async (t) => {
    const { vigie, url } = await startExpressApp(t, express, {
      vigie: { slos: SLOS, ignore: ['/ignored'] },
      routes: (app) => {
        app.get('/users/:id', (_req, res) => { res.json({ ok: true }) })
        app.get('/fail', () => { throw new Error('down') })
        app.get('/slow', (_req, res) => { setTimeout(() => res.send('late'), 300) })
        app.get('/ignored', (_req, res) => { res.send('ignored') })
      },
    })
    await exercise(url, () => vigie.vigie.slos())
    await new Promise((resolve) => setTimeout(resolve, 400))
    check(t, vigie.vigie.slos())
  })
}

t.test('no SLOs, or vigie disabled: an empty list', async (t) => {
  const { app } = await startApp(t, { routes: (app) => app.get('/', async () => 'ok') })
  t.same(app.vigie.slos(), [])
  process.env.VIGIE_DISABLED = '1'
  t.teardown(() => { delete process.env.VIGIE_DISABLED })
  const disabled = await startApp(t, { vigie: { slos: SLOS }, routes: (app) => app.get('/', async () => 'ok') })
  await fetch(`${disabled.url}/`)
  t.same(disabled.app.vigie.slos(), [])
})
