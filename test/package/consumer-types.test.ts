// The declarations in the tarball compile in a strict TypeScript app (`skipLibCheck: false`) that
// has only one of the two frameworks: fastify, or express with @types/express. Each app is made
// offline: the tarball is extracted into its node_modules/vigie, and its other packages (vigie's
// dependencies, the framework, @types/node, and theirs) are links into this repository's
// node_modules. The repository's own TypeScript checks each app (typecheck-consumer.mjs) with
// module nodenext (an ESM and a CommonJS file: the tarball's two builds) and with
// moduleResolution bundler. Each app file also expects the errors that prove its types are real
// (not `any`) and that the other framework cannot be found.
import { execFile as execFileCallback } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { npmPack, root } from '../helpers/npm-pack.ts'
import { WITHOUT_TAP } from '../helpers/run-built.ts'

const execFile = promisify(execFileCallback)
const typescript = createRequire(import.meta.url).resolve('typescript')
const modules = join(root, 'node_modules')

/** Where `name` is installed for a package in `from`: its own node_modules first, then the root's. */
function installed (name: string, from: string): string {
  const nested = join(from, 'node_modules', name)
  return existsSync(join(nested, 'package.json')) ? nested : join(modules, name)
}

/** Links `names`, and everything they depend on, into `app`'s node_modules, as npm would install them. */
function linkPackages (app: string, names: string[]): void {
  const seen = new Set<string>()
  const queue = names.map((name) => ({ name, from: root }))
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    const dir = installed(next.name, next.from)
    if (seen.has(dir)) continue
    seen.add(dir)
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    const optional = manifest.peerDependenciesMeta ?? {}
    const peers = Object.keys(manifest.peerDependencies ?? {}).filter((peer) => optional[peer]?.optional !== true)
    for (const name of [...Object.keys(manifest.dependencies ?? {}), ...peers]) queue.push({ name, from: dir })
    if (dir === join(modules, next.name)) {
      mkdirSync(dirname(join(app, 'node_modules', next.name)), { recursive: true })
      symlinkSync(dir, join(app, 'node_modules', next.name), 'dir')
    }
  }
}

const FASTIFY_ESM = `
import Fastify from 'fastify'
import observability, { correlationId, genReqId, loggerOptions, patchAll, scrub, type FastifyVigieOptions, type Snapshot } from 'vigie'
import 'vigie/register'
// @ts-expect-error: this app has no express
import type { Request } from 'express'

const options: FastifyVigieOptions = {
  statsd: { host: '127.0.0.1', port: 8125, prefix: 'shop.' },
  getUser: (request) => request.headers['x-user'],
  ignore: (request) => request.url === '/health',
  dashboard: { token: 'secret' },
}
const app = Fastify({ logger: loggerOptions({ level: 'info' }), genReqId: genReqId() })
await app.register(observability, options)
app.get('/users/:id', { config: { vigie: { controller: 'users.show' } } }, async (request) => {
  app.statsd.increment('users.viewed')
  return { id: request.correlationId, current: correlationId(), clean: scrub({ password: 'x' }) }
})
app.get('/internal', { config: { vigie: false } }, async () => 'ok')
const snapshot: Snapshot | null = app.vigie.snapshot()
void snapshot
// @ts-expect-error: the port is a number (the options are typed, not any)
await app.register(observability, { statsd: { port: '8125' } })
// @ts-expect-error: request.correlationId is a string (the augmentation applies)
app.get('/wrong', async (request) => { const id: number = request.correlationId; return id })
const unpatch = patchAll({ statsd: { port: 8125 } })
await unpatch()
`

const FASTIFY_CJS = `
import Fastify from 'fastify'
import vigie = require('vigie')
import 'vigie/register'

export async function start (): Promise<void> {
  const app = Fastify({ logger: vigie.loggerOptions() })
  await app.register(vigie, { statsd: { port: 8125 } })
  app.get('/', async (request) => ({ id: request.correlationId }))
  // @ts-expect-error: the port is a number
  await app.register(vigie.observability, { statsd: { port: '8125' } })
  await vigie.patchAll({ processMetrics: false })()
}
`

const EXPRESS_ESM = `
import express from 'express'
import { expressErrorHandler, expressObservability, loggerOptions, patchAll, type ExpressObservability } from 'vigie'
import 'vigie/register'
// @ts-expect-error: this app has no fastify
import type { FastifyInstance } from 'fastify'

const vigie: ExpressObservability = expressObservability({
  statsd: { host: '127.0.0.1', port: 8125 },
  getUser: (req) => req.headers['x-user'],
  ignore: (req) => req.path === '/health',
})
const app = express()
app.use(vigie)
app.get('/users/:id', (req, res) => {
  vigie.statsd.increment('users.viewed')
  res.json({ id: req.correlationId })
})
app.use(expressErrorHandler())
void loggerOptions({ level: 'info' })
void vigie.vigie.snapshot()
// @ts-expect-error: the port is a number (the options are typed, not any)
expressObservability({ statsd: { port: '8125' } })
// @ts-expect-error: req.correlationId is a string (the augmentation applies)
app.get('/wrong', (req) => { const id: number = req.correlationId; return id })
await patchAll({ statsd: { port: 8125 } })()
await vigie.close()
`

const EXPRESS_CJS = `
import express = require('express')
import vigie = require('vigie')
import 'vigie/register'

const app = express()
const middleware = vigie.expressObservability({ statsd: { port: 8125 } })
app.use(middleware)
app.get('/', (req, res) => { res.send(req.correlationId) })
app.use(vigie.expressErrorHandler())
// @ts-expect-error: the port is a number
vigie.expressObservability({ statsd: { port: '8125' } })
export const closing: Promise<void> = middleware.close()
`

const checker = fileURLToPath(new URL('../helpers/typecheck-consumer.mjs', import.meta.url))

/** The exit code and output of typecheck-consumer.mjs on `app`. */
async function typecheck (app: string): Promise<{ code: number, output: string }> {
  try {
    const { stdout } = await execFile('env', [...WITHOUT_TAP, process.execPath, checker, app, typescript], { timeout: 240_000 })
    return { code: 0, output: stdout }
  } catch (error) {
    const failed = error as { code?: number, signal?: string, stdout?: string, stderr?: string }
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}${failed.signal ?? ''}` }
  }
}

t.test('the packed declarations compile in a Fastify-only and in an Express-only app', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'vigie-consumer-'))
  t.teardown(() => rmSync(work, { recursive: true, force: true }))
  const { filename } = await npmPack(work)
  const dependencies = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies)

  const apps = [
    { name: 'fastify-only', packages: ['fastify'], absent: 'express', esm: FASTIFY_ESM, cjs: FASTIFY_CJS },
    { name: 'express-only', packages: ['express', '@types/express'], absent: 'fastify', esm: EXPRESS_ESM, cjs: EXPRESS_CJS },
  ].map((app) => {
    const dir = join(work, app.name)
    mkdirSync(join(dir, 'node_modules', 'vigie'), { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: app.name, private: true, type: 'module' }))
    writeFileSync(join(dir, 'app.mts'), app.esm)
    writeFileSync(join(dir, 'app.cts'), app.cjs)
    linkPackages(dir, [...dependencies, '@types/node', ...app.packages])
    return { ...app, dir }
  })
  await Promise.all(apps.map((app) => execFile('tar', ['xzf', join(work, filename), '--strip-components=1', '-C', join(app.dir, 'node_modules', 'vigie')])))

  for (const app of apps) {
    t.notOk(existsSync(join(app.dir, 'node_modules', app.absent)), `${app.name} has no ${app.absent}`)
    t.ok(existsSync(join(app.dir, 'node_modules', 'vigie', 'dist', 'esm', 'index.d.ts')), `${app.name} has the packed vigie`)
  }
  const results = await Promise.all(apps.map((app) => typecheck(app.dir)))
  apps.forEach((app, i) => {
    const { code, output } = results[i]!
    t.equal(code, 0, `${app.name}: no error under --strict --skipLibCheck false`, { output })
    for (const mode of ['module nodenext', 'moduleResolution bundler']) {
      const checked = Number(new RegExp(`^${mode}: 0 errors in \\d+ files \\((\\d+) of vigie's\\)$`, 'm').exec(output)?.[1])
      t.ok(checked >= 20, `${app.name}, ${mode}: vigie's declarations were checked (${checked})`)
    }
  })
})
