// What vigie costs a process that starts: `vigie/register` with VIGIE_DISABLED=1 installs
// nothing and loads next to nothing, and importing vigie loads none of the module-hooking
// libraries until patchAll() runs. Each run is a child process against the built package, with
// test/fixtures/startup/watch.cjs preloaded first to record what the rest of the process
// installs (timers, sockets, channel subscriptions, a require hook) and which scripts it compiled.
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs'
import { runBuiltOutput } from '../helpers/run-built.ts'

const root = fileURLToPath(new URL('../..', import.meta.url))
const FIXTURES = 'test/fixtures/startup'
const DISABLED = { VIGIE_DISABLED: '1' }

interface Report {
  created: Record<string, number>
  requireReplaced: boolean
  subscribed: string[]
  listeners: Record<string, number>
  loaded: string[]
  header: string | null
  decorated: string[]
  loaderHook?: boolean
}

function report (args: string[], env: Record<string, string> = {}): { report: Report, stderr: string } {
  const { stdout, stderr } = runBuiltOutput(['-r', `./${FIXTURES}/watch.cjs`, ...args], env)
  return { report: JSON.parse(stdout.trim().split('\n').at(-1)!), stderr }
}

/** vigie's own built modules among the scripts a process compiled, relative to dist/<build>/. */
function vigieModules (loaded: string[]): string[] {
  return loaded.filter((file) => file.startsWith(`${root}dist/`)).map((file) => file.slice(`${root}dist/`.length).replace(/^(esm|cjs)\//, '')).sort()
}

/** The packages among the scripts a process compiled, once each. */
function packages (loaded: string[]): string[] {
  return [...new Set(loaded.flatMap((file) => {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(file)
    return match === null ? [] : [match[1]!]
  }))].sort()
}

const HEAVY = ['import-in-the-middle', 'require-in-the-middle', 'hot-shots', 'pino', 'uuid']

/**
 * Everything but the modules compiled and the files read to compile them: a process started
 * with `--import` reads its modules' files, which a bare one does not.
 */
function installed ({ loaded: _loaded, created, ...rest }: Report): object {
  const { FSREQPROMISE: _a, FILEHANDLE: _b, FILEHANDLECLOSEREQ: _c, ...resources } = created
  return { ...rest, created: resources }
}

t.test('VIGIE_DISABLED=1 node --import vigie/register: no loader hook, no require hook, no subscription, no timer', async (t) => {
  const app = `${FIXTURES}/fastify-app.mjs`
  const bare = report([app]).report
  const disabled = report(['--import', 'vigie/register', app], DISABLED).report
  const on = report(['--import', 'vigie/register', app])
  // The same probe sees vigie when it is on, so the comparison below can fail.
  t.match(on.report, {
    header: /^[0-9a-f-]{36}$/,
    decorated: ['statsd', 'vigie'],
    loaderHook: true,
    requireReplaced: true,
    subscribed: ['fastify.initialization', 'http.server.request.start'],
    listeners: { beforeExit: 1 },
    created: { Timeout: Number, UDPWRAP: Number },
  })
  t.same(installed(disabled), installed(bare), 'the process holds what the bare app holds')
  t.same(vigieModules(disabled.loaded), ['errors.js', 'options/environment.js', 'register.esm-entry.js'], 'only the kill switch\'s reader was loaded')
  t.same(packages(disabled.loaded), packages(bare.loaded), 'no dependency of vigie was loaded')
})

t.test('VIGIE_DISABLED=1 node -r vigie/register: no require hook, no subscription, no timer', async (t) => {
  const app = `${FIXTURES}/fastify-app.cjs`
  const bare = report([app]).report
  const disabled = report(['-r', 'vigie/register', app], DISABLED).report
  const on = report(['-r', 'vigie/register', app]).report
  t.match(on, { header: /^[0-9a-f-]{36}$/, decorated: ['statsd', 'vigie'], requireReplaced: true, subscribed: ['fastify.initialization', 'http.server.request.start'] })
  t.same(installed(disabled), installed(bare), 'the process holds what the bare app holds')
  t.same(vigieModules(disabled.loaded), ['errors.js', 'options/environment.js', 'register.cjs-entry.js'], 'only the kill switch\'s reader was loaded')
  t.same(packages(disabled.loaded), packages(bare.loaded), 'no dependency of vigie was loaded')
})

t.test('VIGIE_DISABLED=1 and patchAll() in code: the options are checked, nothing is installed', async (t) => {
  const app = `./${FIXTURES}/fastify-app.cjs`
  const inCode = (options: string): string[] => ['-e', `require('vigie').patchAll(${options}); require('${app}')`]
  const bare = report([app]).report
  const disabled = report(inCode('{ statsd: { prefix: \'shop.\' } }'), DISABLED).report
  const on = report(inCode('')).report
  t.match(on, { header: /^[0-9a-f-]{36}$/, decorated: ['statsd', 'vigie'], requireReplaced: true })
  t.same(installed(disabled), installed(bare), 'the process holds what the bare app holds')
  t.throws(() => runBuiltOutput(inCode('{ statsd: { port: -1 } }'), DISABLED), /VIGIE_ERR_INVALID_OPTION/, 'a bad option is still refused')
})

t.test('--import vigie/register runs the loader in the app\'s thread where Node can, and warns of nothing', async (t) => {
  const { report: on, stderr } = report(['--import', 'vigie/register', `${FIXTURES}/fastify-app.mjs`])
  t.equal(on.loaderHook, true)
  t.equal(on.created.WORKER === undefined, supportsSyncHooks(), `a loader thread only where synchronous hooks cannot run it (Node ${process.version})`)
  // module.register() is deprecated from Node 26 on (DEP0205).
  t.notMatch(stderr, /Warning/)
})

t.test('importing vigie loads no module-hooking library, StatsD client, logger or UUID library; patchAll() loads the hooks', async (t) => {
  const probe = (load: string): string => `${load}
    const before = globalThis.watchReport().loaded
    vigie.patchAll()
    console.log(JSON.stringify({ before, after: globalThis.watchReport().loaded }))`
  const runs = {
    'import(\'vigie\')': ['--input-type=module', '-e', probe('const vigie = await import(\'vigie\')')],
    'require(\'vigie\')': ['-e', probe('const vigie = require(\'vigie\')')],
  }
  for (const [name, args] of Object.entries(runs)) {
    const { before, after } = JSON.parse(runBuiltOutput(['-r', `./${FIXTURES}/watch.cjs`, ...args]).stdout)
    t.same(packages(before).filter((p) => HEAVY.includes(p)), [], `${name}: none loaded`)
    t.not(vigieModules(before).length, 0, `${name}: vigie itself was seen loading`)
    t.same(packages(after).filter((p) => HEAVY.includes(p)), ['import-in-the-middle', 'require-in-the-middle'], `${name}, then patchAll(): the hooks are loaded`)
  }
})
