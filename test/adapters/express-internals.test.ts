// The contract of lib/adapters/express-internals.ts (the one module that reads Express's
// internal structure), on real Express 4 and 5 apps: what each function reads off them. A
// version of Express (or of its `router`) that changes one of these parts fails here first.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import {
  appRouterOf, innerAppOfLayer, innerRouterOfLayer, isErrorHandler, isExpress4App, isExpressApp, isExpressModule, keepLast,
  matchedLength, mountFirst, mountOfApp, mountPatternOfLayer, onNewApps, replaceErrorHandlers, requestPrototypeOfApp,
  routeOfLayer, routePathOf, topLevelHandles, type ErrorHandle, type LayerView,
} from '../../lib/adapters/express-internals.ts'
import { EXPRESS_VERSIONS } from '../helpers/express-app.ts'

const noop = (_req: unknown, _res: unknown, next: () => void): void => { next() }
const errorHandler: ErrorHandle = (err, _req, _res, next) => { next(err) }

for (const [name, express] of EXPRESS_VERSIONS) {
  const major4 = name === 'express 4'

  t.test(name, async (t) => {
    /** The last layer of `app`'s top-level router: the one the last `use` added. */
    const lastLayer = (app: object): LayerView => appRouterOf(app)!.stack.at(-1)!

    t.test('apps, their router, their request object', async (t) => {
      const app = express()
      t.ok(isExpressApp(app))
      t.notOk(isExpressApp(express.Router()), 'a router is no app')
      t.notOk(isExpressApp(() => {}))
      t.equal(isExpress4App(app), major4)
      app.get('/x', noop)
      t.ok(Array.isArray(appRouterOf(app)?.stack), 'the top-level router has its stack of layers')
      t.equal(appRouterOf({}), undefined)
      t.equal(appRouterOf(null), undefined)
      t.equal(requestPrototypeOfApp(app), app.request)
      t.equal(Object.getPrototypeOf(app.request), express.request, "an app's request object inherits from the module's")
    })

    t.test('routes and the routers, apps and paths layers mount', async (t) => {
      const app = express()
      const users = express.Router()
      users.get('/:id', noop)
      app.use('/users/:uid/', users)
      const usersLayer = lastLayer(app)
      t.equal(innerRouterOfLayer(usersLayer), users, 'a mounted router is the layer\'s handle')
      t.equal(innerAppOfLayer(usersLayer), undefined)
      t.equal(mountPatternOfLayer(usersLayer), '/users/:uid', 'as written, without the trailing slash')
      const route = routeOfLayer((users as unknown as { stack: LayerView[] }).stack[0]!)
      t.ok(route)
      t.equal(routePathOf(route), '/:id')
      t.equal(routePathOf(undefined), undefined)
      t.equal(routeOfLayer(usersLayer), undefined, 'a mount is no route')

      app.use(users)
      t.equal(mountPatternOfLayer(lastLayer(app)), '', 'no path: nothing to add')
      app.use('/', users)
      t.equal(mountPatternOfLayer(lastLayer(app)), '')
      app.use(['/a', '/b/:x'], users)
      t.equal(mountPatternOfLayer(lastLayer(app)), '[/a,/b/:x]', 'an array: its paths')
      app.use(/^\/re\/\d+/, users)
      t.equal(mountPatternOfLayer(lastLayer(app)), '/^\\/re\\/\\d+/', 'a RegExp: as a label')
      if (major4) {
        app.use('/a+b', users)
        t.equal(mountPatternOfLayer(lastLayer(app)), String(lastLayer(app).regexp), 'a path Express 4 cannot give back: its RegExp')
      }
      app.use(major4 ? '/files/*' : '/files/*rest', users)
      t.equal(mountPatternOfLayer(lastLayer(app)), major4 ? '/files/*' : '/files/*rest', 'a wildcard')
      app.use(major4 ? '/opt/:x?' : '/opt{/:x}', users)
      t.equal(mountPatternOfLayer(lastLayer(app)), major4 ? '/opt/:x?' : '/opt{/:x}', 'an optional parameter')

      const sub = express()
      const router = express.Router()
      router.use('/admin', sub)
      const subLayer = (router as unknown as { stack: LayerView[] }).stack[0]!
      t.equal(innerAppOfLayer(subLayer), sub, 'router.use(app) keeps the app as the handle')
      sub.get('/y', noop)
      t.equal(innerRouterOfLayer(subLayer), appRouterOf(sub), '… whose router is reached through it')
      t.equal(mountOfApp(sub), undefined, '… and leaves it no parent')
    })

    t.test('app.use(path, app): the parent and the mount path on the app; requests inherit', async (t) => {
      const parent = express()
      const child = express()
      parent.use('/admin/:area/', child)
      t.same(mountOfApp(child), { mountedIn: parent, pattern: '/admin/:area' })
      t.equal(mountOfApp(parent), undefined)
      t.equal(Object.getPrototypeOf(child.request), parent.request, "the child's request object inherits from its parent's")
      t.notOk(innerAppOfLayer(lastLayer(parent)), 'the layer hides the app in a function')
    })

    t.test('matchedLength: how much of a path a mount matches, as req.baseUrl gets it', async (t) => {
      const app = express()
      const router = express.Router()
      app.use('/users/:uid', router)
      const layer = lastLayer(app)
      t.equal(matchedLength(layer, '/users/42'), 9)
      t.equal(matchedLength(layer, '/users/42/'), 9, 'a trailing slash is left out')
      t.equal(matchedLength(layer, '/users/42/posts'), 9)
      t.equal(matchedLength(layer, '/usersx/42'), -1)
      t.equal(matchedLength(layer, '/other'), -1)
      app.use(router)
      t.equal(matchedLength(lastLayer(app), '/anything'), 0, 'no path matches nothing')
      app.use(['/a', '/bb'], router)
      t.equal(matchedLength(lastLayer(app), '/bb/x'), 3, 'the path of an array that matched')
      t.equal(matchedLength({ matchers: [() => { throw new Error('x') }] }, '/a'), -1, 'a matcher that throws matches nothing')
      t.equal(matchedLength({}, '/a'), -1)
    })

    t.test('error handlers: found through routers and router-mounted apps, and replaced', async (t) => {
      const app = express()
      const router = express.Router()
      const inner = express()
      inner.use(errorHandler)
      router.use(errorHandler)
      router.use('/inner', inner)
      app.use('/r', router)
      app.use(errorHandler)
      app.use(noop)
      t.ok(isErrorHandler(errorHandler))
      t.notOk(isErrorHandler(noop))
      const replaced: unknown[] = []
      const replacement: ErrorHandle = (err, _req, _res, next) => { next(err) }
      replaceErrorHandlers(appRouterOf(app), (handle) => {
        replaced.push(handle)
        return replacement
      })
      t.equal(replaced.length, 3, 'the app\'s, the router\'s and the router-mounted app\'s')
      t.equal(topLevelHandles(app).filter((h) => h === replacement).length, 1)
      t.equal(appRouterOf(inner)!.stack.at(-1)!.handle, replacement)
      t.ok(topLevelHandles(app).includes(noop), 'other middleware stays')
    })

    t.test('mountFirst: before the app\'s own middleware, after Express\'s own', async (t) => {
      const app = express()
      app.use(noop)
      app.get('/x', noop)
      const first = (_req: unknown, _res: unknown, next: () => void): void => { next() }
      mountFirst(app, first)
      const names = appRouterOf(app)!.stack.map((l) => l.name)
      t.same(names.slice(0, major4 ? 3 : 1), major4 ? ['query', 'expressInit', 'first'] : ['first'])
      t.equal(topLevelHandles(app).indexOf(noop), major4 ? 3 : 1)
      const empty = express()
      mountFirst(empty, first)
      t.equal(topLevelHandles(empty).at(-1), first)
    })

    t.test('keepLast: stays last as layers are added, and comes back if the stack is rebuilt', async (t) => {
      const app = express()
      app.get('/x', noop)
      const moveToEnd = keepLast(app, errorHandler)
      t.equal(topLevelHandles(app).at(-1), errorHandler)
      moveToEnd()
      const length = topLevelHandles(app).length
      app.get('/y', noop)
      app.use(noop)
      t.not(topLevelHandles(app).at(-1), errorHandler)
      moveToEnd()
      t.equal(topLevelHandles(app).at(-1), errorHandler)
      t.equal(topLevelHandles(app).length, length + 2, 'moved, not mounted twice')
      const stack = appRouterOf(app)!.stack as LayerView[]
      stack.splice(stack.length - 1, 1)
      app.use(noop)
      moveToEnd()
      t.equal(topLevelHandles(app).at(-1), errorHandler, 'mounted again when someone took it out')
    })

    t.test('onNewApps: every app the module creates, until undone', async (t) => {
      t.ok(isExpressModule(express))
      t.notOk(isExpressModule({}))
      t.notOk(isExpressModule(null))
      const created: object[] = []
      const restore = onNewApps(express, (app) => created.push(app))
      const app = express()
      t.same(created, [app])
      restore()
      restore()
      express()
      t.equal(created.length, 1, 'undone')
    })
  })
}

t.test('only express-internals.ts reads Express internals in lib/', async (t) => {
  const lib = fileURLToPath(new URL('../../lib', import.meta.url))
  const internals = [/\b_router\b/, /\.stack\b/, /\brawPath\b/, /\.regexp\b/, /\bmatchers\b/, /\bmountpath\b/, /\blazyrouter\b/, /\.application\b/, /\.init\b/, /\bfast_slash\b/, /\.keys\b/]
  const files = readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('express-internals.ts'))
  t.ok(files.length > 50, `lib/ was read (${files.length} files)`)
  const found = files.flatMap((file) => {
    // The code, without its comments.
    const code = readFileSync(join(lib, file), 'utf8').replace(/\/\*[^]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
    return /express/i.test(file) ? internals.filter((word) => word.test(code)).map((word) => `${file}: ${word}`) : []
  })
  t.same(found, [])
  t.ok(internals.every((word) => word.test(readFileSync(join(lib, 'adapters/express-internals.ts'), 'utf8'))), 'each is read there')
})
