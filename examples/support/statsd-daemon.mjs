// Starts the real Etsy StatsD daemon (npm `statsd`) on private loopback ports and collects its
// flushes through statsd-json-backend.cjs, for the tests and the demo.
import { spawn } from 'node:child_process'
import dgram from 'node:dgram'
import { rmSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const HOST = '127.0.0.1'
const READY_TIMEOUT_MS = 10_000
const BIND_ATTEMPTS = 3
const KILL_GRACE_MS = 2_000
const OUTPUT_TAIL_CHARS = 8_000

const statsJs = createRequire(import.meta.url).resolve('statsd/stats.js')
const backendPath = fileURLToPath(new URL('./statsd-json-backend.cjs', import.meta.url))
const utilLogPath = fileURLToPath(new URL('./statsd-util-log.cjs', import.meta.url))

/**
 * @param {{ flushInterval?: number, percentThreshold?: number[], graphitePort?: number }} [options]
 *
 * With `graphitePort`, the daemon's own graphite backend also sends every flush to a Graphite
 * carbon's plaintext receiver on 127.0.0.1:graphitePort (namespace `stats.counters.<name>.count`,
 * `stats.gauges.<name>`…; tags kept as `;k=v`).
 *
 * Resolves once the daemon answers `health: up` on its management port. Returns:
 * - `flushes`: every flush received so far, in order (`{ timestamp, counters, counter_rates,
 *   timer_data, timer_counters, gauges, sets, pctThreshold }`; sets are arrays of members).
 * - `waitForFlush(predicate, timeoutMs = 10000)`: the first flush, already received or to
 *   come, for which `predicate(flush)` is truthy. The flush is already in `flushes` when the
 *   predicate runs, so a predicate may look at the `counters()` totals instead.
 * - `counters()`: every counter summed across all flushes (statsd resets them each flush),
 *   keyed by the name the daemon stores; includes the daemon's own `statsd.*` counters.
 * - `timers()`: per key, the `timer_data` of the last flush in which that timer had values.
 *   Values split over two flushes are not merged: wait for the flush that holds them all.
 * - `stop()`: SIGTERM (SIGKILL after 2 s), resolves once the daemon has exited.
 */
export async function startStatsdDaemon ({ flushInterval = 500, percentThreshold = [90, 99], graphitePort } = {}) {
  let lastError
  for (let attempt = 1; attempt <= BIND_ATTEMPTS; attempt++) {
    const dir = await mkdtemp(join(tmpdir(), 'vigie-statsd-'))
    try {
      return await launch(dir, { flushInterval, percentThreshold, graphitePort })
    } catch (err) {
      await rm(dir, { recursive: true, force: true })
      lastError = err
      // Only an early exit can be a lost race for the ports; anything else will not get better.
      if (!err.earlyExit) break
    }
  }
  throw lastError
}

async function launch (dir, { flushInterval, percentThreshold, graphitePort }) {
  const port = await freePort('udp')
  const mgmtPort = await freePort('tcp')
  const configPath = join(dir, 'config.js')
  await writeFile(configPath, JSON.stringify({
    port,
    address: HOST,
    mgmt_address: HOST,
    mgmt_port: mgmtPort,
    flushInterval,
    percentThreshold,
    deleteIdleStats: true,
    backends: graphitePort === undefined ? [backendPath] : [backendPath, './backends/graphite'],
    ...(graphitePort === undefined
      ? {}
      : { graphiteHost: HOST, graphitePort, graphite: { legacyNamespace: false, globalPrefix: 'stats' } })
  }, null, 2))

  const child = spawn(process.execPath, ['--require', utilLogPath, statsJs, configPath], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  let output = ''
  const keepTail = (chunk) => { output = (output + chunk).slice(-OUTPUT_TAIL_CHARS) }
  child.stdout.setEncoding('utf8').on('data', keepTail)
  child.stderr.setEncoding('utf8').on('data', keepTail)

  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  let stopping = false
  const killOnParentExit = () => {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', killOnParentExit)

  const flushes = []
  const waiters = new Set()
  child.on('message', (line) => {
    const flush = JSON.parse(line)
    flushes.push(flush)
    for (const waiter of waiters) waiter.check(flush)
  })
  exited.then(({ code, signal }) => {
    process.removeListener('exit', killOnParentExit)
    if (stopping) return
    const err = new Error(`statsd daemon exited unexpectedly (code ${code}, signal ${signal})\n${output}`)
    for (const waiter of waiters) waiter.fail(err)
  })

  async function stop () {
    if (!stopping) {
      stopping = true
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
        await exited
        clearTimeout(timer)
      }
      await rm(dir, { recursive: true, force: true })
    }
    await exited
  }

  try {
    await waitUntilHealthy(mgmtPort, exited, () => output)
  } catch (err) {
    await stop()
    throw err
  }

  function waitForFlush (predicate, timeoutMs = 10_000) {
    const found = flushes.find((flush) => predicate(flush))
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const waiter = {
        check (flush) {
          try {
            if (predicate(flush)) settle(() => resolve(flush))
          } catch (err) {
            settle(() => reject(err))
          }
        },
        fail (err) { settle(() => reject(err)) }
      }
      const timer = setTimeout(() => settle(() => reject(new Error(
        `no statsd flush matched within ${timeoutMs} ms (${flushes.length} flushes received; ` +
        `counters seen: ${Object.keys(counters()).join(', ') || 'none'})`))), timeoutMs)
      function settle (fn) {
        clearTimeout(timer)
        waiters.delete(waiter)
        fn()
      }
      waiters.add(waiter)
    })
  }

  function counters () {
    const totals = {}
    for (const flush of flushes) {
      for (const [key, value] of Object.entries(flush.counters)) totals[key] = (totals[key] ?? 0) + value
    }
    return totals
  }

  function timers () {
    const latest = {}
    for (const flush of flushes) {
      for (const [key, data] of Object.entries(flush.timer_data)) {
        if (data.count > 0) latest[key] = data
      }
    }
    return latest
  }

  return { host: HOST, port, mgmtPort, flushes, waitForFlush, counters, timers, stop }
}

// A port the OS just handed out and we released; the daemon may still lose it to another
// process, which startStatsdDaemon's retry covers.
function freePort (kind) {
  return new Promise((resolve, reject) => {
    if (kind === 'udp') {
      const socket = dgram.createSocket('udp4')
      socket.once('error', reject)
      socket.bind(0, HOST, () => {
        const { port } = socket.address()
        socket.close(() => resolve(port))
      })
    } else {
      const server = net.createServer()
      server.once('error', reject)
      server.listen(0, HOST, () => {
        const { port } = server.address()
        server.close(() => resolve(port))
      })
    }
  })
}

async function waitUntilHealthy (mgmtPort, exited, output) {
  const deadline = Date.now() + READY_TIMEOUT_MS
  let exit
  exited.then((status) => { exit = status })
  while (Date.now() < deadline) {
    if (exit) {
      const err = new Error(
        `statsd daemon exited before it was ready (code ${exit.code}, signal ${exit.signal})\n${output()}`)
      err.earlyExit = true
      throw err
    }
    if (await askHealth(mgmtPort)) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`statsd daemon not healthy after ${READY_TIMEOUT_MS} ms on mgmt port ${mgmtPort}\n${output()}`)
}

function askHealth (mgmtPort) {
  return new Promise((resolve) => {
    const socket = net.connect(mgmtPort, HOST)
    let answer = ''
    const done = (healthy) => {
      socket.destroy()
      resolve(healthy)
    }
    socket.setTimeout(1_000, () => done(false))
    socket.setEncoding('utf8')
    socket.on('connect', () => socket.write('health\n'))
    socket.on('data', (chunk) => {
      answer += chunk
      if (answer.includes('\n')) done(answer.includes('health: up'))
    })
    socket.on('error', () => done(false))
    socket.on('close', () => done(false))
  })
}
