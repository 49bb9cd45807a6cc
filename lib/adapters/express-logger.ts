import { invalidOption } from '../errors.ts'
import { idBinder, type ChildLogger } from '../logging/child-binding.ts'
import type { PinoLikeLogger } from '../logging/exception-logger.ts'
import { kCorrelationBound } from '../logging/symbols.ts'
import { sharedSymbol } from '../process-state.ts'

/** The logger vigie writes exception lines and its warnings to: a pino logger (or one like it). */
export type ExpressVigieLogger = PinoLikeLogger

const LOGGER_METHODS = ['info', 'warn', 'error', 'child'] as const
/** Set on a logger whose `child` binds request children already (bindRequestChildren()). */
const kRequestChildren = sharedSymbol('expressRequestChildren')

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

/**
 * Binds the correlation ID into each child logger made for one observed request: a child whose
 * bindings hold the request itself, as pino-http's `logger.child({ req })` does once per request
 * (`idOf` gives an observed request's ID, undefined for any other value). Its lines then carry
 * the ID in its bindings, and the correlation mixin no longer runs for each of them. `child` is
 * wrapped once on `logger`; its children inherit the wrapper. A child of a bound logger is bound
 * already: a `correlationId` among its own bindings would write the key twice, and is left out.
 */
export function bindRequestChildren (logger: ExpressVigieLogger, idOf: (value: object) => string | undefined): void {
  const target = logger as unknown as Record<string | symbol, unknown>
  const pinoChild = target.child as ChildLogger
  if (typeof pinoChild !== 'function' || target[kRequestChildren] === true) return
  const childWithId = idBinder()
  const child: ChildLogger = function child (this: unknown, bindings, options) {
    if (bindings === null || typeof bindings !== 'object') return pinoChild.call(this, bindings, options)
    if ((this as Record<symbol, unknown>)[kCorrelationBound] === true) {
      return pinoChild.call(this, Object.hasOwn(bindings, 'correlationId') ? withoutId(bindings) : bindings, options)
    }
    for (const key in bindings) {
      const value = bindings[key]
      const id = typeof value === 'object' && value !== null ? idOf(value) : undefined
      if (id !== undefined) return childWithId(this as object, pinoChild, bindings, options, id)
    }
    return pinoChild.call(this, bindings, options)
  }
  try {
    Object.defineProperty(target, 'child', { value: child, writable: true, configurable: true, enumerable: false })
    Object.defineProperty(target, kRequestChildren, { value: true })
  } catch {
    // A frozen logger: its request children are written through the correlation mixin.
  }
}

function withoutId (bindings: Record<string, unknown>): Record<string, unknown> {
  const { correlationId: _, ...rest } = bindings
  return rest
}
