import type { LoggerOptions } from 'pino'
import { buildErrorRecord } from '../capture/error-record.ts'
import { maskSensitiveParams } from '../capture/masked-path.ts'
import { buildScrubber, type ScrubOptions } from '../scrub/scrubber.ts'
import { correlationMixin, describedSymbol, type PinoMixin } from './log-injection.ts'
import { kCapturedByVigie, kLoggerOptions } from './symbols.ts'

interface LoggedRequest {
  raw?: LoggedRequest
  method?: string
  url?: string
  originalUrl?: string
  httpVersion?: string
  host?: string
  headers?: Record<string, unknown>
  ip?: string
  socket?: { remoteAddress?: string, remotePort?: number }
  /** A Fastify request's route params; a raw request has none. */
  params?: unknown
}

type LogMethod = (this: unknown, ...args: unknown[]) => void

/**
 * pino options that make a Fastify logger safe and correlated:
 * - `req`, `err` and `res` serializers that scrub what Fastify logs (the raw query in
 *   "incoming request", error messages and stacks);
 * - every string argument (the `msg`) scrubbed like free text (docs/scrubbing.md#values);
 * - Fastify's default error-handler line dropped for the 5xx answers vigie captures itself, so
 *   each exception produces one error line;
 * - `correlationId` added to lines written inside a request's async chain by a logger that does
 *   not already carry it.
 * Options you pass are kept; your `serializers`, `mixin` and `hooks.logMethod` run too.
 *
 * @example
 * const app = Fastify({ logger: loggerOptions({ level: 'info' }) })
 */
export function loggerOptions (pinoOptions: LoggerOptions = {}, vigieOptions: { scrub?: ScrubOptions } = {}): LoggerOptions {
  const scrubber = buildScrubber(vigieOptions.scrub)
  const userMixin = pinoOptions.mixin
  const userLogMethod = pinoOptions.hooks?.logMethod as ((args: unknown[], method: LogMethod, level: number) => void) | undefined

  function req (request: LoggedRequest): object {
    const raw = request.raw ?? request
    const socket = raw.socket
    return {
      method: raw.method,
      // A Fastify request has its route's params by now: a secret one (`/reset/:token`) is masked in the URL.
      url: scrubber.url(maskSensitiveParams(raw.originalUrl ?? raw.url ?? '', undefined, request.params, scrubber.isSensitiveKey)),
      version: raw.httpVersion,
      host: scrubber.text(String(request.host ?? raw.headers?.host ?? '')),
      remoteAddress: request.ip ?? socket?.remoteAddress,
      remotePort: socket?.remotePort,
    }
  }
  function err (error: unknown): object {
    return buildErrorRecord(error, scrubber)
  }
  function res (reply: { statusCode?: number }): object {
    return { statusCode: reply.statusCode }
  }
  Object.defineProperty(req, kLoggerOptions, { value: true })

  function logMethod (this: unknown, args: unknown[], method: LogMethod, level: number): void {
    const first = args[0] as { err?: unknown, res?: { request?: Record<symbol, unknown> } } | null
    // Fastify's default error handler logs `{ req, res, err }` at error level for 5xx answers;
    // vigie writes a richer, scrubbed line for the same exception.
    if (level >= 50 && first !== null && typeof first === 'object' && first.err !== undefined &&
        first.res?.request?.[kCapturedByVigie] === true) {
      return
    }
    for (let i = 0; i < args.length; i++) {
      if (typeof args[i] === 'string') args[i] = scrubber.text(args[i] as string)
    }
    if (userLogMethod !== undefined) userLogMethod.call(this, args, method, level)
    else method.apply(this, args)
  }

  return {
    ...pinoOptions,
    serializers: { req, err, res, ...pinoOptions.serializers },
    mixin: correlationMixin(userMixin as PinoMixin | undefined),
    hooks: { ...pinoOptions.hooks, logMethod },
  }
}

/** True when `logger` was built from loggerOptions(): it then scrubs what Fastify itself logs. */
export function usesVigieLoggerOptions (logger: object): boolean {
  // pino keeps serializers under a symbol of its own; its description is stable across versions.
  const sym = describedSymbol(logger, 'pino.serializers')
  if (sym === undefined) return false
  const serializers = (logger as Record<symbol, { req?: Record<symbol, unknown> } | undefined>)[sym]
  return serializers?.req?.[kLoggerOptions] === true
}
