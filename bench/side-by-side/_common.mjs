// Shared by every server variant: the port, the JSON answer, a served-requests counter, and a
// shutdown that closes the app (vigie flushes its StatsD buffer on close) then prints the count.
export const port = Number(process.env.PORT || 3000)
export const host = '127.0.0.1'
export let served = 0

// BENCH_LOGGER=1, set by run.mjs for the "logger on" twins: the app logs at level info to a
// discarding destination and its handler writes one line per request (see ../lib/logger-on.mjs).
export const loggerOn = process.env.BENCH_LOGGER === '1'
// vigie's loggerOptions() builds the app's pino options (BENCH_LOGGER_OPTIONS=1, vigie servers only).
export const withLoggerOptions = loggerOn && process.env.BENCH_LOGGER_OPTIONS === '1'
const logging = loggerOn ? await import('../lib/logger-on.mjs') : null

/** Fastify's `logger` option: false, or level info to /dev/null; `wrap` is vigie's loggerOptions(). */
export function fastifyLogger (wrap) {
  return loggerOn ? logging.fastifyLogger(logging.logDestination(), wrap) : false
}

/** pino-http's middleware at level info to /dev/null, or null with the logger off; `wrap` as above. */
export function expressLogger (wrap) {
  return loggerOn ? logging.expressLogger(logging.logDestination(), wrap) : null
}

/** The handler's own line (call it only with the logger on). */
export const handlerLine = logging?.handlerLine

export function user (id) {
  served++
  return { id, name: 'Ada Lovelace', email: 'ada@example.com', role: 'admin', active: true }
}

export async function ready (close) {
  process.stdout.write('ready\n')
  const stop = async () => {
    try { await close() } catch {}
    process.stdout.write(`served ${served}\n`, () => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

export function listenExpress (app, afterClose = async () => {}) {
  const server = app.listen(port, host, () => {
    ready(() => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }).then(afterClose))
  })
  return server
}
