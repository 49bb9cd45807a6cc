// The store across a real crash: an app (the BUILT package, in a child process) serves requests,
// writes its store, is killed with SIGKILL, and the next one starts with its counts. Then the
// files it cannot use, on real servers: set aside, one warning line through the app's pino
// logger, and the app serves all the same.
import { once } from 'node:events'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { decodeStore } from '../../lib/slo/slo-store.ts'
import type { SloStatus } from '../../lib/types.ts'
import { EXPRESS_VERSIONS, startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { spawnBuilt } from '../helpers/run-built.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

const FIXTURE = 'test/fixtures/slo-store/app.mjs'
const SLOS = [{ name: 'api', objective: 99, window: '30d', sli: 'availability' }] as const

function directory (t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigie-slo-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** The fixture app, started; resolves once it listens. */
async function startChild (t: Test, store: string, statsdPort: number): Promise<{ url: string, output: () => string, kill: () => Promise<void> }> {
  const child = spawnBuilt([FIXTURE], { SLO_STORE: store, STATSD_PORT: String(statsdPort) })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk })
  const exited = once(child, 'exit')
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  const deadline = Date.now() + 30_000
  let match: RegExpExecArray | null = null
  while ((match = /\{"fixture":"listening","port":(\d+)\}/.exec(output)) === null) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the fixture did not listen:\n${output}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return {
    url: `http://127.0.0.1:${match[1]}`,
    output: () => output,
    kill: async () => {
      child.kill('SIGKILL')
      await exited
    },
  }
}

/** The store's total over its whole ring, or -1 while it is not there or not sound. */
function storedTotal (store: string): number {
  try {
    const read = decodeStore(readFileSync(store), Math.floor(Date.now() / 60_000))
    return read.kind === 'ok' ? read.slos[0]!.total.reduce((a, b) => a + b, 0) : -1
  } catch {
    return -1
  }
}

t.test('SIGKILL after a store write: the next process starts with the counts written', async (t) => {
  const store = join(directory(t), 'slo.bin')
  const statsd = await startStatsdListener()
  t.teardown(() => statsd.close())
  const first = await startChild(t, store, statsd.port)
  for (let i = 0; i < 7; i++) t.equal((await fetch(`${first.url}/ok`)).status, 200)
  for (let i = 0; i < 3; i++) t.equal((await fetch(`${first.url}/fail`)).status, 500)
  const before = await (await fetch(`${first.url}/slos`)).json() as SloStatus[]
  t.match(before, [{ name: 'api', good: 7, total: 10 }])
  // Written every second: wait for a write that holds all ten, then kill without a chance to write again.
  const deadline = Date.now() + 10_000
  while (storedTotal(store) !== 10 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(storedTotal(store), 10, 'a write held the ten requests')
  await first.kill()

  const second = await startChild(t, store, statsd.port)
  const after = await (await fetch(`${second.url}/slos`)).json() as SloStatus[]
  t.match(after, [{ name: 'api', good: 7, total: 10, sli: 0.7 }], 'the counts are back')
  t.ok(after[0]!.coverage > 0 && after[0]!.coverage <= 3 / 43_200, `coverage: the minutes seen (${after[0]!.coverage})`)
  await fetch(`${second.url}/fail`)
  t.match(await (await fetch(`${second.url}/slos`)).json(), [{ good: 7, total: 11 }], 'and counting goes on')
  t.notMatch(second.output(), /SLO store/, 'no warning')
  t.same(readdirSync(join(store, '..')).filter((name) => name !== 'slo.bin').filter((name) => !name.endsWith('.tmp')), [], 'nothing set aside')
  await second.kill()
})

const DAMAGED = [
  ['corrupt', Buffer.from('definitely not a store, just text')],
  // A sound header of another store format (format 2).
  ['foreign', Buffer.concat([Buffer.from('VIGIESLO', 'latin1'), Buffer.from([2, 0, 0, 0, 2, 0, 0, 0]), Buffer.from('{}'), Buffer.alloc(4)])],
] as const

for (const [kind, bytes] of DAMAGED) {
  t.test(`Fastify: a ${kind} store is set aside with one warning line, and the app serves`, async (t) => {
    const dir = directory(t)
    const store = join(dir, 'slo.bin')
    writeFileSync(store, bytes)
    const { app, url, logs } = await startApp(t, { vigie: { slos: [...SLOS], slo: { store } }, routes: (app) => app.get('/', async () => 'ok') })
    t.equal((await fetch(`${url}/`)).status, 200)
    const warnings = logs.lines.filter((line) => /SLO store/.test(String(line.msg)))
    t.equal(warnings.length, 1, 'one line')
    t.match(warnings[0], { level: 40, msg: new RegExp(`SLO store is ${kind}`), vigie: { store, setAsideAs: new RegExp(`slo\\.bin\\.${kind}-\\d+$`) } })
    t.equal(readdirSync(dir).filter((name) => name.startsWith(`slo.bin.${kind}-`)).length, 1, 'kept aside')
    t.match(app.vigie.slos(), [{ total: 1, good: 1 }], 'counting from fresh')
  })
}

for (const [version, express] of EXPRESS_VERSIONS) {
  t.test(`${version}: a corrupt store is set aside with one warning line, and the app serves`, async (t) => {
    const dir = directory(t)
    const store = join(dir, 'slo.bin')
    writeFileSync(store, DAMAGED[0][1])
    const { url, logs, vigie } = await startExpressApp(t, express, { vigie: { slos: [...SLOS], slo: { store } }, routes: (app) => app.get('/', (_req, res) => { res.send('ok') }) })
    t.equal((await fetch(`${url}/`)).status, 200)
    t.equal(logs.lines.filter((line) => /SLO store is corrupt/.test(String(line.msg))).length, 1)
    t.match(vigie.vigie.slos(), [{ total: 1 }])
  })
}
