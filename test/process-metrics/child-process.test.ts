// What only a whole process shows: the sampler never keeps it alive, and a working directory
// removed under it costs the free-disk gauge only. One child shows both (each child pays for
// compiling the TypeScript sources again).
import { spawn } from 'node:child_process'
import t from 'tap'
import { PROCESS_METRIC_NAMES as NAMES } from '../../lib/metrics/process-metric-names.ts'
import { processGauges } from '../helpers/process-gauges.ts'
import { startStatsdListener } from '../helpers/statsd-listener.ts'

const lib = (path: string): string => JSON.stringify(new URL(`../../lib/${path}`, import.meta.url).href)
const CHILD_TIMEOUT_MS = 20_000

interface ChildResult { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

/**
 * Runs a fresh Node (with tap's TypeScript loader; only the few modules the sampler needs are
 * imported, as each is compiled again) that starts a sampler (every 100 ms) sending to `port`,
 * its warnings as JSON lines on stdout, runs `afterwards`, keeps busy 350 ms (three samples)
 * with a ref'd timer and returns, never stopping the sampler. The process must then exit by
 * itself: it is killed only after CHILD_TIMEOUT_MS.
 */
function runChild (port: number, afterwards = ''): Promise<ChildResult> {
  const code = `
    import { mkdtempSync, rmdirSync } from 'node:fs'
    import { tmpdir } from 'node:os'
    import { join } from 'node:path'
    import { StatsD } from 'hot-shots'
    import { FailureReporter } from ${lib('core/failure-reporter.ts')}
    import { ProcessSampler } from ${lib('process-metrics/process-sampler.ts')}
    const logger = { warn: (obj, msg) => process.stdout.write(JSON.stringify({ ...obj, msg }) + '\\n') }
    const statsd = new StatsD({ host: '127.0.0.1', port: ${port}, maxBufferSize: 0, errorHandler: () => {} })
    new ProcessSampler({ statsd, intervalMs: 100, reporter: new FailureReporter(logger) }).start()
    ${afterwards}
    setTimeout(() => {}, 350)
  `
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', code], { timeout: CHILD_TIMEOUT_MS })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8') })
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8') })
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
}

const listener = await startStatsdListener()
t.teardown(() => listener.close())
// After chdir, Node no longer has the working directory cached: process.cwd() itself throws.
const child = runChild(listener.port, `
  const dir = mkdtempSync(join(tmpdir(), 'vigie-removed-cwd-'))
  process.chdir(dir)
  rmdirSync(dir)
`)

t.test('a running sampler does not keep the process alive', async (t) => {
  const result = await child
  t.same({ code: result.code, signal: result.signal }, { code: 0, signal: null }, `the process exited by itself\n${result.stderr}`)
  t.ok(processGauges(listener.lines).has(NAMES.rss), 'after sampling once')
})

t.test('a removed working directory: no process.disk_free, one warning, the other gauges still sent', async (t) => {
  const result = await child
  const warnings = result.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line))
  t.match(warnings, [{ msg: /^vigie: cannot read the free disk space of the working directory; process\.disk_free is not sent/, vigie: { err: { type: 'ENOENT' } } }])
  t.equal(warnings.length, 1)
  const gauges = processGauges(listener.lines)
  t.notOk(gauges.has(NAMES.diskFree))
  t.ok(gauges.has(NAMES.heapUsed) && gauges.has(NAMES.cpuPercent) && gauges.has(NAMES.activeHandles), 'the others went out')
})
