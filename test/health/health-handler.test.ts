// The framework-neutral handler and the adapters' guard around any endpoint.
import t from 'tap'
import { answerOf, EndpointRouter } from '../../lib/core/endpoint-router.ts'
import { FailureReporter } from '../../lib/core/failure-reporter.ts'
import type { Endpoint, EndpointResponse } from '../../lib/core/vigie.ts'
import { health } from '../../lib/health/health-feature.ts'
import { HealthHandler } from '../../lib/health/health-handler.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'
import { scrubText } from '../../lib/scrub/free-text.ts'

function reporter (): { reporter: FailureReporter, warnings: Array<{ obj: any, msg: string }> } {
  const warnings: Array<{ obj: any, msg: string }> = []
  return { reporter: new FailureReporter({ warn: (obj, msg) => warnings.push({ obj, msg }) }), warnings }
}

t.test('paths, methods, and closing', async (t) => {
  const options = resolveOptions({ health: { path: '/h', thresholds: { eventLoopDelayMs: { fail: 1e6 } } } }, {}).health!
  const handler = new HealthHandler(options, scrubText, reporter().reporter)
  t.same(handler.paths, ['/h/live', '/h/ready'])
  t.equal((handler.respond('/h/other', 'GET') as EndpointResponse).status, 404)
  const post = handler.respond('/h/ready', 'POST') as EndpointResponse
  t.same([post.status, post.headers.allow], [405, 'GET, HEAD'])
  t.equal((await handler.respond('/h/ready', 'GET')).status, 200)
  t.notOk(handler.draining)
  handler.close()
  t.ok(handler.draining, 'closing drains')
  t.equal((handler.respond('/h/ready', 'GET') as EndpointResponse).status, 503)

  const feature = health(options, scrubText, reporter().reporter)
  feature.drain()
  t.same(JSON.parse((feature.endpoint.respond('/h/ready', 'GET', '', {}) as EndpointResponse).body), { status: 'fail', output: 'draining' })
  await feature.subscriber.closing?.()
})

t.test('vigie\'s own failure while reading is a 503 fail and a report, not a rejection', async (t) => {
  const options = resolveOptions({ health: { thresholds: { rssBytes: { fail: 1e15 } } } }, {}).health!
  const { reporter: r, warnings } = reporter()
  const handler = new HealthHandler(options, scrubText, r)
  const rss = process.memoryUsage.rss
  process.memoryUsage.rss = () => { throw new Error('no rss') }
  t.teardown(() => { process.memoryUsage.rss = rss })
  const answer = await handler.respond('/_vigie/health/ready', 'GET')
  process.memoryUsage.rss = rss
  t.equal(answer.status, 503)
  t.same(JSON.parse(answer.body), { status: 'fail', output: 'vigie could not run the checks' })
  t.match(warnings, [{ obj: { vigie: { subsystem: 'health' } }, msg: 'vigie: health failed; the app was not affected' }])
})

t.test('answerOf(): an endpoint that throws or rejects answers 500 and is reported; sync stays sync', async (t) => {
  const ok: EndpointResponse = { status: 200, headers: {}, body: 'ok' }
  const endpoint = (respond: Endpoint['respond']): Endpoint => ({ paths: ['/x'], respond })
  const { reporter: r, warnings } = reporter()
  t.equal(answerOf(endpoint(() => ok), '/x', 'GET', '/x?a=1', {}, undefined, r), ok, 'a synchronous answer is returned as is')
  let query = ''
  answerOf(endpoint((_p, _m, q) => { query = q; return ok }), '/x', 'GET', '/x?a=1', {}, undefined, r)
  t.equal(query, 'a=1')
  const thrown = answerOf(endpoint(() => { throw new Error('sync') }), '/x', 'GET', '/x', {}, undefined, r) as EndpointResponse
  t.same([thrown.status, thrown.body, thrown.headers['cache-control']], [500, 'vigie: internal error', 'no-store'])
  const rejected = await answerOf(endpoint(async () => { throw new Error('async') }), '/x', 'GET', '/x', {}, undefined, r)
  t.equal(rejected.status, 500)
  t.match(warnings, [{ obj: { vigie: { subsystem: 'endpoint' }, err: { message: 'sync' } } }])
  const router = new EndpointRouter([endpoint(async () => ok)], r)
  t.equal(await router.answer('GET', '/x', {}), ok, 'the router waits for nothing: it hands the promise on')
  t.equal(await router.answer('GET', '/x?probe=1', {}), ok, 'the path without its query')
  t.equal(router.answer('GET', '/y', {}), null)
})
