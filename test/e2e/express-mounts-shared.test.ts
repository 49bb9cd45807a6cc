// Mounts real apps have that are easy to get wrong (express-route-index.ts): an app mounted at
// several paths or in two apps, a router mounted in itself, on real servers.
import t, { type Test } from 'tap'
import type { StatsdListener } from '../helpers/statsd-listener.ts'
import { EXPRESS_VERSIONS, controllerTags, counters, startExpressApp } from '../helpers/express-app.ts'

/** Requests each path in turn (each answered `body`), then the `controller` tags they were counted under. */
async function controllersOf (t: Test, url: string, statsd: StatsdListener, paths: string[], body: string): Promise<string[]> {
  for (const path of paths) t.equal(await (await fetch(url + path)).text(), body, path)
  await statsd.waitFor(() => counters(statsd).length >= paths.length)
  return controllerTags(statsd)
}

for (const [name, express] of EXPRESS_VERSIONS) {
  t.test(name, async (t) => {
    t.test('an app mounted at several paths (app.use twice): each request gets the mount it came through', async (t) => {
      // Express keeps only the last mount path (api.mountpath === ['/v2', '/v3']).
      const api = express()
      api.get('/users/:id', (_req, res) => { res.send('user') })
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          app.use('/v1', api)
          app.use(['/v2', '/v3'], api)
        },
      })
      t.same(await controllersOf(t, url, statsd, ['/v1/users/1', '/v3/users/2', '/v1/users/3'], 'user'), ['/v1/users/:id', '[/v2_/v3]/users/:id', '/v1/users/:id'])
    })

    t.test('an app mounted in two apps, each with its own vigie: neither gets the other\'s mount path', async (t) => {
      const shared = express()
      shared.get('/items/:id', (_req, res) => { res.send('item') })
      const first = await startExpressApp(t, express, { routes: (app) => app.use('/one', shared) })
      // Mounted last: shared.parent and shared.mountpath are the second app's.
      const second = await startExpressApp(t, express, { routes: (app) => app.use('/two/:tenant', shared) })
      await fetch(`${second.url}/two/acme/items/1`)
      await fetch(`${first.url}/one/items/2`)
      await fetch(`${first.url}/one/items/3`)
      await second.statsd.waitFor(() => counters(second.statsd).length >= 1)
      await first.statsd.waitFor(() => counters(first.statsd).length >= 2)
      t.same(controllerTags(second.statsd), ['/two/:tenant/items/:id'])
      t.same(controllerTags(first.statsd), ['/(unrecorded)/items/:id', '/(unrecorded)/items/:id'], 'never /two/:tenant, the other app\'s mount')
    })

    t.test('a router mounted in itself: one pass through the loop gets its pattern, more get "(unrecorded)"', async (t) => {
      const tree = express.Router()
      tree.get('/leaf/:id', (_req, res) => { res.send('leaf') })
      tree.use('/loop', tree)
      const { url, statsd } = await startExpressApp(t, express, { routes: (app) => app.use('/tree', tree) })
      t.same(await controllersOf(t, url, statsd, ['/tree/leaf/1', '/tree/loop/leaf/2', '/tree/loop/loop/leaf/3'], 'leaf'), ['/tree/leaf/:id', '/tree/loop/leaf/:id', '/(unrecorded)/leaf/:id'])
    })

    t.test('a sub-app mounted at one literal path: its routes\' patterns are cached, and checked against the path', async (t) => {
      const admin = express()
      admin.get('/users/:id', (_req, res) => { res.send('user') })
      const { url, statsd } = await startExpressApp(t, express, {
        routes: (app) => {
          app.use('/beta', admin)
          app.use('/admin', admin)
        },
      })
      t.same(await controllersOf(t, url, statsd, ['/admin/users/1', '/admin/users/2', '/beta/users/3', '/admin/users/4'], 'user'), ['/admin/users/:id', '/admin/users/:id', '/beta/users/:id', '/admin/users/:id'])
    })
  })
}
