// What the "logger on" twins of the side-by-side and plugin-cpu/plugin-instructions servers
// share: the level, the destination, pino-http for Express and the handler's own line.
//
// The destination is a pino destination (SonicBoom, asynchronous) on /dev/null: the stream
// Fastify's `logger: true` writes stdout through, with only the file descriptor changed. Every
// line is serialised, buffered and handed to the kernel in write(2) calls as it would be in
// production; only the kernel's sink costs nothing. A Writable that drops lines would skip
// SonicBoom's buffering and the system calls, and put Node's stream machinery in their place:
// cheaper than any real destination, and not what a pino app runs.
// Loaded only by servers started with their logger on: a logger-off server imports nothing more.
import pino from 'pino'
import pinoHttp from 'pino-http'

export const LOG_LEVEL = 'info'

/** A fresh discarding destination (one per process). */
export function logDestination () {
  return pino.destination({ dest: '/dev/null', sync: false })
}

/**
 * Fastify's `logger` option: level info to `destination`; `wrap` (vigie's loggerOptions())
 * builds the pino options when given, as vigie's docs tell users to.
 */
export function fastifyLogger (destination, wrap) {
  const options = { level: LOG_LEVEL, stream: destination }
  return wrap === undefined ? options : wrap(options)
}

/**
 * pino-http's middleware at level info to `destination`, with its defaults: one "request
 * completed" line per request (it writes no "incoming request" line unless asked to).
 * `wrap` (vigie's loggerOptions()) builds the pino options when given. Its `.logger` is the
 * app's pino logger.
 */
export function expressLogger (destination, wrap) {
  const options = { level: LOG_LEVEL }
  return pinoHttp(wrap === undefined ? options : wrap(options), destination)
}

/** The handler's own line, through the request's logger (`request.log`, pino-http's `req.log`). */
export function handlerLine (log, id) {
  log.info({ userId: id }, 'loading user')
}
