import { describedSymbol, markCorrelationBound } from './log-injection.ts'

/** pino's `logger.child`, as called on the logger it was read from. */
export type ChildLogger = (this: unknown, bindings: Record<string, unknown>, options?: Record<string, unknown>) => object

/** Makes a request's child of `parent` with the correlation ID `id` bound, marked as bound. */
export type ChildWithId = (parent: object, child: ChildLogger, bindings: Record<string, unknown>, options: Record<string, unknown> | undefined, id: string) => object

/**
 * Makes a request's child of `parent` with the correlation ID among its bindings, marked as
 * bound (the correlation mixin then skips its lines). Once a child shows pino writes that binding
 * plainly (appendsPlainly()), the ID of later children of the same parent is appended to their
 * written bindings instead: pino then has one key less to handle per request. With bindings that
 * hold the key already, they are left as they are.
 */
export function idBinder (): ChildWithId {
  let appendTo: PlainBinding | undefined
  return function childWithId (parent, child, bindings, options, id) {
    const plain = options?.serializers === undefined
    if (appendTo !== undefined && parent === appendTo.logger && plain && bindings.correlationId === undefined) {
      const made = child.call(parent, bindings, options) as Record<symbol, string>
      made[appendTo.chindings] += `,"correlationId":"${id}"`
      return markCorrelationBound(made)
    }
    const labelled = bindings.correlationId !== undefined
    if (bindings.correlationId !== id) bindings.correlationId = id
    const made = child.call(parent, bindings, options)
    if (appendTo === undefined && !labelled && plain) appendTo = appendsPlainly(parent, made, id)
    return markCorrelationBound(made)
  }
}

/**
 * `logger` (the parent of every request's child logger) when pino writes the binding
 * `correlationId` of its children as nothing but the key and the ID in quotes (no serializer,
 * redaction or bindings formatter of the app on that key), as `child`, made with it, shows: then
 * the binding is written straight after a child's others (the ID's characters need no escaping).
 * Undefined otherwise.
 */
function appendsPlainly (logger: object, child: object, id: string): PlainBinding | undefined {
  const chindings = describedSymbol(child, 'pino.chindings')
  if (chindings === undefined) return undefined
  const text = (child as Record<symbol, unknown>)[chindings]
  return typeof text === 'string' && text.endsWith(`,"correlationId":"${id}"`) ? { logger, chindings } : undefined
}

interface PlainBinding {
  readonly logger: object
  /** The pino copy's symbol for a logger's bindings, as written (`,"key":value` each). */
  readonly chindings: symbol
}
