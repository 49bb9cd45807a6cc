import lazyDependencies from '../lazy-dependencies.cjs'
import { loggerOptions } from './logger-options.ts'
import { markCorrelationBound } from './log-injection.ts'

/** A pino logger, or one like it: what vigie writes exception lines and its warnings to. */
export interface PinoLikeLogger {
  info (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
  error (obj: object, msg?: string): void
  child (bindings: object, options?: object): PinoLikeLogger
}

/**
 * The logger for exception lines: a child of `base` whose serializers pass vigie's records
 * through untouched (they are already scrubbed; pino's default `err` serializer would rename
 * their `type`). The records carry `correlationId` themselves, so the loggerOptions() mixin must
 * not add it again. Without a base logger, one that writes JSON lines to stdout, so exceptions
 * are never silently lost.
 */
export function exceptionLogger (base: PinoLikeLogger | undefined): PinoLikeLogger {
  const parent: PinoLikeLogger = base ?? lazyDependencies.pino()(loggerOptions())
  const passThrough = (value: unknown): unknown => value
  const log = parent.child({}, { serializers: { err: passThrough, req: passThrough, res: passThrough } })
  return markCorrelationBound(log)
}
