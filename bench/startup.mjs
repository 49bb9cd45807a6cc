// Start-up cost of vigie on an app of a few hundred modules: wall and CPU time of a whole process
// that loads a generated app (a tree of ESM modules, one of which builds a Fastify app with a few
// routes, listens on port 0 and closes), bare and started with `vigie/register`, with
// VIGIE_DISABLED=1, and its CommonJS twin with `-r vigie/register`; then `import('vigie')` and
// `require('vigie')` alone. The app is generated in a temporary directory (removed afterwards)
// whose node_modules links to vigie and to the Fastify installed here. Imports the built package
// (run `npm run build` first); --baseline=<another vigie's package root, built> adds its rows,
// measured in the same rounds (e.g. a `git worktree` of an earlier commit).
//
//   node bench/startup.mjs [--runs=11] [--modules=400] [--baseline=/path/to/vigie] [--keep]
//
// Every run is a fresh `node` process; the variants take turns (interleaved, the first one
// rotating each round), so load from elsewhere on the machine lands on all of them alike. Wall
// time is taken around the process, CPU time (user + system, every thread) by the process itself
// as it exits (process.resourceUsage()). Medians and minimums of the runs.

import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

function arg (name, fallback) {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`))
  return found === undefined ? fallback : found.slice(name.length + 3)
}
const RUNS = Number(arg('runs', '11'))
const MODULES = Number(arg('modules', '400'))
const VIGIE = fileURLToPath(new URL('..', import.meta.url))
const BASELINE = arg('baseline', undefined)
const KEEP = process.argv.includes('--keep')

// Prints the process's own CPU time as it exits, for the runner to read (last line of stdout).
const REPORT = 'process.on(\'exit\', () => { const u = process.resourceUsage(); process.stdout.write(\'\\n\' + JSON.stringify({ cpuUs: u.userCPUTime + u.systemCPUTime }) + \'\\n\') })'

/** A deterministic pseudo-random sequence, so every run of the script generates the same app. */
function sequence (seed) {
  let state = seed
  return (n) => {
    state = (state * 1103515245 + 12345) % 2147483648
    return state % n
  }
}

const AREAS = ['users', 'orders', 'billing', 'catalog', 'search', 'auth', 'mail', 'reports', 'storage', 'util']

/** Module i's path under src/, without extension: spread over areas and two levels, as apps are. */
function modulePath (i) {
  return `${AREAS[i % AREAS.length]}/${i % 3 === 0 ? 'services' : 'lib'}/m${String(i).padStart(4, '0')}`
}

/**
 * The source of module i: a class, a few functions and constants, and imports of up to three
 * modules generated before it (so the graph is a DAG with shared leaves, like an app's).
 */
function moduleSource (i, imports, esm, ext) {
  const from = modulePath(i)
  const rel = (j) => `${'../'.repeat(from.split('/').length - 1)}${modulePath(j)}.${ext}`
  const lines = []
  imports.forEach((j, k) => {
    lines.push(esm ? `import * as dep${k} from '${rel(j)}'` : `const dep${k} = require('${rel(j)}')`)
  })
  const calls = imports.map((_, k) => `dep${k}.compute${k % 2 === 0 ? 'A' : 'B'}(value + ${k})`).join(' + ') || 'value'
  const body = `
const NAME = 'module-${i}'
const LIMITS = Object.freeze({ max: ${100 + i}, min: ${i % 7}, ratio: ${(i % 13) / 10} })

class Service${i} {
  constructor (options = {}) {
    this.name = options.name ?? NAME
    this.cache = new Map()
    this.hits = 0
  }

  get (key) {
    const found = this.cache.get(key)
    if (found !== undefined) this.hits++
    return found
  }

  set (key, value) {
    if (this.cache.size >= LIMITS.max) this.cache.delete(this.cache.keys().next().value)
    this.cache.set(key, value)
    return this
  }

  describe () {
    return \`\${this.name}: \${this.cache.size} entries, \${this.hits} hits\`
  }
}

function computeA (value) {
  let total = 0
  for (let n = 0; n < 3; n++) total += (Number(value) || 0) * LIMITS.ratio + n
  return total
}

function computeB (value) {
  return String(value).split('').reverse().join('').length + LIMITS.min
}

function format (record) {
  return Object.entries(record).map(([key, value]) => \`\${key}=\${JSON.stringify(value)}\`).join(' ')
}

function run (value) {
  return ${calls}
}
`
  const exported = `Service${i}, computeA, computeB, format, run, NAME, LIMITS`
  return `${lines.join('\n')}\n${body}\n${esm ? `export { ${exported} }` : `module.exports = { ${exported} }`}\n`
}

/** The module that builds the Fastify app: a few routes calling into the generated modules. */
function serverSource (esm, ext, users) {
  const head = esm
    ? `import Fastify from 'fastify'\nimport * as users from './src/${users}.${ext}'\n`
    : `const Fastify = require('fastify')\nconst users = require('./src/${users}.${ext}')\n`
  return `${head}
async function start () {
  const app = Fastify()
  const service = new users.Service0()
  app.get('/health', async () => ({ ok: true }))
  app.get('/users/:id', async (request) => ({ id: request.params.id, score: users.run(request.params.id) }))
  app.post('/users', async (request, reply) => { service.set(request.body?.id, request.body); reply.code(201); return { created: true } })
  app.get('/users/:id/orders', async (request) => ({ id: request.params.id, orders: [] }))
  app.get('/reports/:name', async (request) => ({ report: users.format({ name: request.params.name }) }))
  await app.listen({ port: 0, host: '127.0.0.1' })
  await app.close()
}
${esm ? 'export { start }' : 'module.exports = { start }'}
`
}

/** Writes the app (ESM, `app.mjs`) or its CommonJS twin (`app.cjs`) under `dir`. */
function writeApp (dir, esm) {
  const ext = esm ? 'mjs' : 'cjs'
  const next = sequence(42)
  const importedBy = new Array(MODULES).fill(0)
  for (let i = 0; i < MODULES; i++) {
    const count = i === 0 ? 0 : Math.min(i, 1 + next(3))
    const imports = [...new Set(Array.from({ length: count }, () => i - 1 - next(Math.min(i, 40))))]
    for (const j of imports) importedBy[j]++
    const file = join(dir, 'src', `${modulePath(i)}.${ext}`)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, moduleSource(i, imports, esm, ext))
  }
  writeFileSync(join(dir, `server.${ext}`), serverSource(esm, ext, modulePath(0)))
  // The entry loads every module nobody else imports, so the whole tree loads.
  const roots = importedBy.flatMap((n, i) => (n === 0 ? [i] : []))
  const entry = esm
    ? `${REPORT}\n${roots.map((i, k) => `import * as r${k} from './src/${modulePath(i)}.${ext}'`).join('\n')}\nimport { start } from './server.${ext}'\n\nconst modules = [${roots.map((_, k) => `r${k}`).join(', ')}]\nif (modules.some((m) => typeof m.run !== 'function')) throw new Error('a module did not load')\nawait start()\n`
    : `${REPORT}\nconst modules = [${roots.map((i) => `require('./src/${modulePath(i)}.${ext}')`).join(', ')}]\nconst { start } = require('./server.${ext}')\n\nif (modules.some((m) => typeof m.run !== 'function')) throw new Error('a module did not load')\nstart()\n`
  writeFileSync(join(dir, `app.${ext}`), entry)
}

// dir/esm and dir/cjs hold the apps; dir/node_modules, Fastify. Each vigie build is linked from
// node_modules of a directory of its own, the processes' working directory, from which
// `--import vigie/register`, `-r vigie/register` and `import('vigie')` resolve it.
const dir = realpathSync(mkdtempSync(join(os.tmpdir(), 'vigie-startup-')))
mkdirSync(join(dir, 'node_modules'))
const fastify = dirname(createRequire(join(VIGIE, 'package.json')).resolve('fastify/package.json'))
symlinkSync(fastify, join(dir, 'node_modules', 'fastify'), 'dir')
mkdirSync(join(dir, 'esm'))
mkdirSync(join(dir, 'cjs'))
writeApp(join(dir, 'esm'), true)
writeApp(join(dir, 'cjs'), false)
const BUILDS = [{ label: '', root: VIGIE }, ...(BASELINE === undefined ? [] : [{ label: ' [baseline]', root: resolve(BASELINE) }])]
for (const [k, build] of BUILDS.entries()) {
  build.cwd = join(dir, `vigie-${k}`)
  mkdirSync(join(build.cwd, 'node_modules'), { recursive: true })
  symlinkSync(build.root, join(build.cwd, 'node_modules', 'vigie'), 'dir')
}

const DISABLED = { VIGIE_DISABLED: '1' }
const ESM_APP = '../esm/app.mjs'
const CJS_APP = '../cjs/app.cjs'
const cwd = BUILDS[0].cwd
const VARIANTS = [
  { id: 'esm bare', args: [ESM_APP], cwd },
  { id: 'cjs bare', args: [CJS_APP], cwd },
  { id: 'node, empty script', args: ['--input-type=module', '-e', REPORT], cwd },
  ...BUILDS.flatMap(({ label, cwd }) => [
    { id: `esm --import vigie/register${label}`, args: ['--import', 'vigie/register', ESM_APP], cwd },
    { id: `esm --import vigie/register, VIGIE_DISABLED=1${label}`, args: ['--import', 'vigie/register', ESM_APP], env: DISABLED, cwd },
    { id: `cjs -r vigie/register${label}`, args: ['-r', 'vigie/register', CJS_APP], cwd },
    { id: `cjs -r vigie/register, VIGIE_DISABLED=1${label}`, args: ['-r', 'vigie/register', CJS_APP], env: DISABLED, cwd },
    { id: `import('vigie')${label}`, args: ['--input-type=module', '-e', `${REPORT}\nawait import('vigie')`], cwd },
    { id: `require('vigie')${label}`, args: ['-e', `${REPORT}\nrequire('vigie')`], cwd },
  ]),
]
/** The row a variant is compared with: the bare app of its module system, or the empty script. */
const BASE = (id) => (id.startsWith('esm') ? 'esm bare' : id.startsWith('cjs') ? 'cjs bare' : 'node, empty script')

function runOnce (variant) {
  const env = { ...process.env, ...variant.env }
  delete env.NODE_OPTIONS
  if (variant.env === undefined) delete env.VIGIE_DISABLED
  const start = process.hrtime.bigint()
  const child = spawnSync(process.execPath, variant.args, { cwd: variant.cwd, env, encoding: 'utf8', timeout: 60_000 })
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6
  if (child.status !== 0) throw new Error(`${variant.id} exited with ${child.status ?? child.signal}:\n${child.stderr}`)
  const { cpuUs } = JSON.parse(child.stdout.trim().split('\n').at(-1))
  return { wallMs, cpuMs: cpuUs / 1000 }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const loadBefore = os.loadavg()
const results = new Map(VARIANTS.map((v) => [v.id, []]))
try {
  for (const variant of VARIANTS) runOnce(variant) // warms the file system cache; not counted
  for (let round = 0; round < RUNS; round++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const variant = VARIANTS[(k + round) % VARIANTS.length]
      results.get(variant.id).push(runOnce(variant))
    }
  }
} finally {
  if (KEEP) console.log(`fixture kept in ${dir}`)
  else rmSync(dir, { recursive: true, force: true })
}
const loadAfter = os.loadavg()

// In table order: the bases first, then each vigie row beside its baseline twin.
const ORDER = [...VARIANTS].sort((a, b) => rank(a.id) - rank(b.id))
function rank (id) {
  const bases = ['esm bare', 'cjs bare', 'node, empty script']
  if (bases.includes(id)) return bases.indexOf(id)
  return 10 + VARIANTS.findIndex((v) => v.id === id.replace(' [baseline]', '')) * 2 + (id.endsWith('[baseline]') ? 1 : 0)
}
const summary = ORDER.map((v) => {
  const runs = results.get(v.id)
  return {
    id: v.id,
    wall: median(runs.map((r) => r.wallMs)),
    wallMin: Math.min(...runs.map((r) => r.wallMs)),
    cpu: median(runs.map((r) => r.cpuMs)),
    cpuMin: Math.min(...runs.map((r) => r.cpuMs)),
  }
})
const baseOf = (id) => summary.find((s) => s.id === BASE(id))
const ms = (n) => n.toFixed(0)
const signed = (n) => `${n >= 0 ? '+' : ''}${n.toFixed(0)}`

console.log(`vigie at ${VIGIE}${BASELINE === undefined ? '' : `, baseline at ${resolve(BASELINE)}`}; Node ${process.version}; ${MODULES} modules per app; ${RUNS} runs per variant, interleaved`)
console.log(`load average (1 min) ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after, on ${os.availableParallelism()} cores\n`)
console.log('| variant | wall ms, median (min) | CPU ms, median (min) | wall over base | CPU over base |')
console.log('| --- | ---: | ---: | ---: | ---: |')
for (const s of summary) {
  const base = baseOf(s.id)
  const over = base === s ? ['', ''] : [signed(s.wall - base.wall), signed(s.cpu - base.cpu)]
  console.log(`| ${s.id} | ${ms(s.wall)} (${ms(s.wallMin)}) | ${ms(s.cpu)} (${ms(s.cpuMin)}) | ${over[0]} | ${over[1]} |`)
}
console.log('\nBase: the bare app of the same module system; for import/require, the empty script.')
