import Fastify from 'fastify'
import t from 'tap'
import { observability, type FastifyVigieOptions } from '../../lib/index.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { startTcpCollector } from '../helpers/tcp-server.ts'

const TIMING = /^http_request\.response_time:\d+(\.\d+)?\|ms\|#/

t.test('a matched route emits the counter and the timing, tagged with the route pattern', async (t) => {
  const { url, statsd } = await startApp(t, {
    routes: (app) => app.get('/users/:id', async (request) => ({ id: (request.params as { id: string }).id })),
  })
  const res = await fetch(`${url}/users/42?page=2`)
  t.equal(res.status, 200)
  await statsd.waitFor((lines) => lines.length >= 2)
  const tags = '#http_status:200,http_status_class:2xx,method:GET,controller:/users/:id'
  t.ok(statsd.lines.includes(`http_request:1|c|${tags}`), statsd.lines.join('\n'))
  const timing = statsd.lines.find((l) => l.startsWith('http_request.response_time:'))
  t.match(timing, TIMING)
  t.ok(timing?.endsWith(`|ms|${tags}`), timing)
  // Tags only: the timing's value may hold the digits 42.
  t.notOk(statsd.lines.some((l) => l.slice(l.indexOf('|#')).includes('42')), 'the raw URL never becomes a tag')
})

t.test('prefix and global tags are applied', async (t) => {
  const { url, statsd } = await startApp(t, {
    vigie: { statsd: { prefix: 'shop.', globalTags: { env: 'production' } } },
    routes: (app) => app.get('/', async () => 'ok'),
  })
  await fetch(`${url}/`)
  await statsd.waitFor((lines) => lines.length >= 2)
  t.ok(statsd.lines.includes('shop.http_request:1|c|#env:production,http_status:200,http_status_class:2xx,method:GET,controller:/'), statsd.lines.join('\n'))
})

t.test('a prefix without a trailing dot gets one, as hot-shots does for every metric', async (t) => {
  const { app, url, statsd } = await startApp(t, {
    vigie: { statsd: { prefix: 'my-shop_v2', globalTags: { region: 'eu:west-1' } } },
    routes: (app) => app.get('/', async () => 'ok'),
  })
  await fetch(`${url}/`)
  app.statsd.increment('business')
  await statsd.waitFor((lines) => lines.length >= 3)
  t.ok(statsd.lines.includes('my-shop_v2.http_request:1|c|#region:eu:west-1,http_status:200,http_status_class:2xx,method:GET,controller:/'), statsd.lines.join('\n'))
  t.ok(statsd.lines.includes('my-shop_v2.business:1|c|#region:eu:west-1'), 'the same prefix and tags as the app\'s own metrics')
})

t.test('a prefix or global tag that could break a line is refused at registration, naming the option', async (t) => {
  const refused: Array<[FastifyVigieOptions['statsd'], string]> = [
    [{ prefix: 'shop.\nadmin.logins:1|c' }, 'statsd.prefix'],
    [{ globalTags: { env: 'prod|#admin:true' } }, 'statsd.globalTags.env'],
    [{ tagFormat: 'telegraf', prefix: 'shop,admin=true.' }, 'statsd.prefix'],
    [{ tagFormat: 'telegraf', globalTags: { env: 'prod,admin=true' } }, 'statsd.globalTags.env'],
  ]
  for (const [statsd, option] of refused) {
    const app = Fastify()
    await t.rejects(app.register(observability, { statsd, processMetrics: false }).ready(), { code: 'VIGIE_ERR_INVALID_OPTION', option }, option)
    await app.close()
  }
})

t.test('Telegraf: a valid prefix and global tags go before the request tags', async (t) => {
  const { url, statsd } = await startApp(t, {
    vigie: { statsd: { tagFormat: 'telegraf', prefix: 'shop.eu', globalTags: { env: 'prod', version: '1.2.3' } } },
    routes: (app) => app.get('/', async () => 'ok'),
  })
  await fetch(`${url}/`)
  await statsd.waitFor((lines) => lines.length >= 2)
  t.ok(statsd.lines.includes('shop.eu.http_request,env=prod,version=1.2.3,http_status=200,http_status_class=2xx,method=GET,controller=/:1|c'), statsd.lines.join('\n'))
})

t.test('unmatched requests are counted under controller:not_found', async (t) => {
  const { url, statsd } = await startApp(t)
  const res = await fetch(`${url}/nope/123`)
  t.equal(res.status, 404)
  await statsd.waitFor((lines) => lines.length >= 2)
  t.ok(statsd.lines.includes('http_request:1|c|#http_status:404,http_status_class:4xx,method:GET,controller:not_found'), statsd.lines.join('\n'))
})

t.test('a route sets its own controller label, or opts out of metrics', async (t) => {
  const { url, statsd } = await startApp(t, {
    routes: (app) => {
      app.get('/users/:id', { config: { vigie: { controller: 'users.show' } } }, async () => 'u')
      app.get('/internal', { config: { vigie: false } }, async () => 'i')
    },
  })
  await fetch(`${url}/internal`)
  await fetch(`${url}/users/1`)
  await statsd.waitFor((lines) => lines.length >= 2)
  t.ok(statsd.lines.includes('http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:users.show'))
  t.notOk(statsd.lines.some((l) => l.includes('internal')), 'the opted-out route sent nothing')
  t.equal(statsd.lines.filter((l) => l.startsWith('http_request:')).length, 1)
})

t.test('ignored paths and predicates are neither timed nor counted', async (t) => {
  const { url, statsd } = await startApp(t, {
    vigie: { ignore: ['/health'] },
    routes: (app) => {
      app.get('/health', async () => 'ok')
      app.get('/work', async () => 'done')
    },
  })
  await fetch(`${url}/health`)
  await fetch(`${url}/health?deep=1`)
  await fetch(`${url}/work`)
  await statsd.waitFor((lines) => lines.length >= 2)
  t.same(statsd.lines.filter((l) => l.startsWith('http_request:')), ['http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/work'])

  const predicate = await startApp(t, {
    vigie: { ignore: (request) => request.headers['user-agent'] === 'probe' },
    routes: (app) => app.get('/', async () => 'ok'),
  })
  await fetch(`${predicate.url}/`, { headers: { 'user-agent': 'probe' } })
  await fetch(`${predicate.url}/`)
  await predicate.statsd.waitFor((lines) => lines.length >= 2)
  t.equal(predicate.statsd.lines.filter((l) => l.startsWith('http_request:')).length, 1)
})

t.test('tag values from route labels cannot inject protocol characters', async (t) => {
  const { url, statsd } = await startApp(t, {
    routes: (app) => app.get('/x', { config: { vigie: { controller: 'a|b,c#d@e\nf:g' } } }, async () => 'x'),
  })
  await fetch(`${url}/x`)
  await statsd.waitFor((lines) => lines.length >= 2)
  t.ok(statsd.lines.includes('http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:a_b_c_d_e_f:g'), statsd.lines.join('\n'))
})

t.test('the telegraf tag format follows its own rules', async (t) => {
  const { url, statsd } = await startApp(t, {
    vigie: { statsd: { tagFormat: 'telegraf' } },
    routes: (app) => app.get('/users/:id', async () => 'u'),
  })
  await fetch(`${url}/users/7`)
  await statsd.waitFor((lines) => lines.length >= 2)
  t.ok(statsd.lines.includes('http_request,http_status=200,http_status_class=2xx,method=GET,controller=/users/_id:1|c'), statsd.lines.join('\n'))
})

t.test('distinct controllers are capped; the overflow is one bucket, warned about once', async (t) => {
  const { url, statsd, logs } = await startApp(t, {
    vigie: { maxControllers: 2 },
    routes: (app) => {
      for (const name of ['a', 'b', 'c', 'd']) app.get(`/${name}`, async () => name)
    },
  })
  for (const name of ['a', 'b', 'c', 'd']) await fetch(`${url}/${name}`)
  await statsd.waitFor((lines) => lines.filter((l) => l.startsWith('http_request:')).length >= 4)
  const controllers = statsd.lines.filter((l) => l.startsWith('http_request:')).map((l) => l.slice(l.indexOf('controller:')))
  t.same(controllers, ['controller:/a', 'controller:/b', 'controller:other', 'controller:other'])
  t.equal(logs.lines.filter((l) => String(l.msg).includes('distinct controller tags')).length, 1)
})

t.test('app.statsd sends business metrics through the same client', async (t) => {
  const { url, statsd } = await startApp(t, {
    vigie: { statsd: { prefix: 'shop.' } },
    routes: (app) => app.post('/orders', async () => {
      app.statsd.increment('orders.created')
      return { ok: true }
    }),
  })
  await fetch(`${url}/orders`, { method: 'POST' })
  await statsd.waitFor((lines) => lines.includes('shop.orders.created:1|c'))
  t.pass('the business metric arrived')
})

t.test('close() sends the metrics still buffered', async (t) => {
  const { app, url, statsd } = await startApp(t, {
    vigie: { statsd: { bufferFlushInterval: 60_000 } },
    routes: (app) => app.get('/', async () => 'ok'),
  })
  for (let i = 0; i < 3; i++) await fetch(`${url}/`)
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(statsd.lines.length, 0, 'nothing is sent before the buffer fills or the interval passes')
  await app.close()
  await statsd.waitFor((lines) => lines.length >= 6)
  t.equal(statsd.lines.filter((l) => l.startsWith('http_request:1|c')).length, 3)
})

t.test('request lines are batched into datagrams of at most maxBufferSize bytes, multi-byte tags included', async (t) => {
  const { url, statsd } = await startApp(t, {
    vigie: { statsd: { maxBufferSize: 400, bufferFlushInterval: 60_000 } },
    routes: (app) => app.get('/cafés/:id', { config: { vigie: { controller: 'cafés-résumé' } } }, async () => 'ok'),
  })
  const requests = 40
  for (let i = 0; i < requests; i++) t.equal((await fetch(`${url}/caf%C3%A9s/${i}`)).status, 200)
  // Each request's two lines are about 230 bytes: one request per datagram, never two.
  await statsd.waitFor((lines) => lines.length >= 2 * (requests - 1))
  t.ok(statsd.datagramSizes.every((size) => size <= 400), `datagram sizes: ${statsd.datagramSizes.join(' ')}`)
  t.ok(statsd.datagramSizes.every((size) => size > 200), 'each holds a whole request')
  t.equal(statsd.lines.filter((l) => l.startsWith('http_request:1|c|') && l.endsWith('controller:cafés-résumé')).length, statsd.datagramSizes.length)
})

t.test('over TCP: the request lines arrive as UTF-8, each write ended by a newline, beside app.statsd', async (t) => {
  const { port, received: receivedText, accepted } = await startTcpCollector(t)
  const app = Fastify()
  await app.register(observability, { processMetrics: false, statsd: { host: '127.0.0.1', port, protocol: 'tcp', globalTags: { env: 'test' } } })
  app.get('/cafés', { config: { vigie: { controller: 'cafés/日本' } } }, async () => 'ok')
  t.equal((await app.inject('/caf%C3%A9s')).statusCode, 200)
  app.statsd.increment('business')
  await app.close()
  const done = (): boolean => receivedText().split('\n').length >= 4
  for (const deadline = Date.now() + 5000; !done() && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 10))
  const received = receivedText()
  t.ok(received.endsWith('\n'))
  const lines = received.split('\n').filter((line) => line !== '')
  t.ok(lines.includes('http_request:1|c|#env:test,http_status:200,http_status_class:2xx,method:GET,controller:cafés/日本'), received)
  t.match(lines.find((line) => line.startsWith('http_request.response_time:')), /^http_request\.response_time:[\d.]+\|ms\|#env:test,http_status:200,http_status_class:2xx,method:GET,controller:cafés\/日本$/)
  t.ok(lines.includes('business:1|c|#env:test'), 'app.statsd on its own connection')
  t.equal(accepted(), 2, 'vigie\'s socket and hot-shots\' client')
})

t.test('the timing covers the handler, and a hijacked reply answered on the raw response is counted', async (t) => {
  const { url, statsd } = await startApp(t, {
    routes: (app) => {
      app.get('/slow', async () => {
        await new Promise((resolve) => setTimeout(resolve, 60))
        return 'done'
      })
      app.get('/raw', (_request, reply) => {
        reply.hijack()
        reply.raw.writeHead(202, { 'content-type': 'text/plain' })
        reply.raw.end('raw')
      })
    },
  })
  t.equal((await fetch(`${url}/slow`)).status, 200)
  t.equal((await fetch(`${url}/raw`)).status, 202)
  await statsd.waitFor((lines) => lines.length >= 4)
  const slow = statsd.lines.find((l) => l.startsWith('http_request.response_time:') && l.endsWith('controller:/slow'))
  t.ok(Number(/:([\d.]+)\|ms/.exec(slow ?? '')?.[1]) >= 59, slow)
  t.ok(statsd.lines.includes('http_request:1|c|#http_status:202,http_status_class:2xx,method:GET,controller:/raw'), statsd.lines.join('\n'))
})

t.test('an aborted request is counted once, with status 499', async (t) => {
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => { release = resolve })
  const { url, statsd } = await startApp(t, {
    // Node keeps the aborted socket around for seconds on close(); don't wait for it.
    fastify: { forceCloseConnections: true },
    routes: (app) => app.get('/slow', async () => {
      await released
      return 'late'
    }),
  })
  const controller = new AbortController()
  const pending = fetch(`${url}/slow`, { signal: controller.signal }).catch((err: Error) => err)
  await new Promise((resolve) => setTimeout(resolve, 50))
  controller.abort()
  t.type(await pending, Error)
  await statsd.waitFor((lines) => lines.some((l) => l.startsWith('http_request:')))
  release()
  await new Promise((resolve) => setTimeout(resolve, 100))
  const counted = statsd.lines.filter((l) => l.startsWith('http_request:'))
  t.same(counted, ['http_request:1|c|#http_status:499,http_status_class:4xx,method:GET,controller:/slow'])
})

t.test('a sample rate below 1 sends a share of request metrics, marked with |@rate', async (t) => {
  const { url, statsd } = await startApp(t, {
    vigie: { statsd: { sampleRate: 0.5 } },
    routes: (app) => app.get('/', async () => 'ok'),
  })
  for (let i = 0; i < 100; i++) await (await fetch(`${url}/`)).text()
  await new Promise((resolve) => setTimeout(resolve, 100))
  const counters = statsd.lines.filter((l) => l.startsWith('http_request:'))
  t.ok(counters.every((l) => l.startsWith('http_request:1|c|@0.5|#')), counters[0])
  // Each of the 100 requests is kept with probability 1/2: 0 or 100 kept has odds 2^-99.
  t.ok(counters.length > 0 && counters.length < 100, `${counters.length} of 100 sent`)
})

t.test('Datadog variables in the environment change nothing unless statsd.datadog is set', async (t) => {
  const saved = { DD_ENV: process.env.DD_ENV, DD_SERVICE: process.env.DD_SERVICE, DD_TAGS: process.env.DD_TAGS }
  Object.assign(process.env, { DD_ENV: 'prod', DD_SERVICE: 'shop', DD_TAGS: 'team:core' })
  t.teardown(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
  })
  const plain = await startApp(t, { routes: (app) => app.get('/', async () => 'ok') })
  await fetch(`${plain.url}/`)
  await plain.statsd.waitFor((lines) => lines.length >= 2)
  t.ok(plain.statsd.lines.includes('http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/'), plain.statsd.lines.join('\n'))

  const opted = await startApp(t, { vigie: { statsd: { datadog: true } }, routes: (app) => app.get('/', async () => 'ok') })
  await fetch(`${opted.url}/`)
  await opted.statsd.waitFor((lines) => lines.length >= 2)
  const line = opted.statsd.lines.find((l) => l.startsWith('http_request:'))
  t.match(line, /env:prod/, 'with datadog: true, hot-shots adds the DD_* tags')
  t.match(line, /service:shop/)
})

t.test('registering twice counts once; the first registration\'s options apply', async (t) => {
  const { url, statsd, logs } = await startApp(t, {
    routes: (app) => {
      app.register(observability, { statsd: { prefix: 'second.' } })
      app.get('/', async () => 'ok')
    },
  })
  await fetch(`${url}/`)
  await statsd.waitFor((lines) => lines.length >= 2)
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(statsd.lines.filter((l) => l.includes('|c')), ['http_request:1|c|#http_status:200,http_status_class:2xx,method:GET,controller:/'])
  t.ok(logs.lines.some((l) => String(l.msg).startsWith('vigie: already registered')))
})
