import { invalidOption } from '../errors.ts'
import type { PinoLikeLogger } from '../logging/exception-logger.ts'

/** The logger vigie writes exception lines and its warnings to: a pino logger (or one like it). */
export type ExpressVigieLogger = PinoLikeLogger

const LOGGER_METHODS = ['info', 'warn', 'error', 'child'] as const

/**
 * Takes the Express-only `logger` option out of `input`, checked, leaving options for
 * resolveOptions() (which rejects names it does not know). `input` is not mutated; anything
 * that is not an object is passed on for resolveOptions() to reject.
 */
export function takeLoggerOption (input: unknown): { logger: ExpressVigieLogger | undefined, rest: unknown } {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || !('logger' in input)) {
    return { logger: undefined, rest: input }
  }
  const { logger, ...rest } = input as { logger?: unknown }
  if (logger === undefined) return { logger: undefined, rest }
  const candidate = logger as Partial<Record<(typeof LOGGER_METHODS)[number], unknown>> | null
  if (candidate === null || typeof candidate !== 'object' || LOGGER_METHODS.some((name) => typeof candidate[name] !== 'function')) {
    throw invalidOption('logger', 'a pino logger (an object with info, warn, error and child functions)', logger)
  }
  return { logger: logger as ExpressVigieLogger, rest }
}
