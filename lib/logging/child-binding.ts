import { describedSymbol, markCorrelationBound } from './log-injection.ts'

/** pino's `logger.child`, as called on the logger it was read from. */
export type ChildLogger = (this: unknown, bindings: Record<string, unknown>, options?: Record<string, unknown>) => object

/** Makes a request's child of `parent` with the correlation ID `id` bound, marked as bound. */
export type ChildWithId = (parent: object, child: ChildLogger, bindings: Record<string, unknown>, options: Record<string, unknown> | undefined, id: string) => object

/**
 * Makes a request's child of `parent` with the correlation ID among its bindings, marked as
 * bound (the correlation mixin then skips its lines). Once a child shows pino writes that binding
 * plainly (appendsPlainly()), the ID of later children of the same parent is appended to their
 * written bindings instead: pino then has one key less to handle per request; those children are
 * made from requestsParent(), bound already. With bindings that hold the key already, they are
 * left as they are.
 */
export function idBinder (): ChildWithId {
  let appendTo: PlainBinding | undefined
  return function childWithId (parent, child, bindings, options, id) {
    const plain = options?.serializers === undefined
    if (appendTo !== undefined && parent === appendTo.logger && plain && bindings.correlationId === undefined) {
      const made = child.call(requestsParent(appendTo, child), bindings, options) as Record<symbol, string>
      made[appendTo.chindings] += `,"correlationId":"${id}"`
      return made
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
  if (typeof text !== 'string' || !text.endsWith(`,"correlationId":"${id}"`)) return undefined
  return { logger, chindings, mixin: describedSymbol(child, 'pino.mixin'), parent: null, chindingsThen: undefined, mixinThen: undefined }
}

interface PlainBinding {
  readonly logger: object
  /** The pino copy's symbol for a logger's bindings, as written (`,"key":value` each). */
  readonly chindings: symbol
  /** The pino copy's symbol for a logger's mixin. */
  readonly mixin: symbol | undefined
  /** The parent of the requests' children (requestsParent()); null until the first. */
  parent: object | null
  /** `logger`'s bindings and mixin when `parent` was made. */
  chindingsThen: unknown
  mixinThen: unknown
}

/**
 * The parent that requests' child loggers are made from: a child of the app's logger with no
 * bindings of its own, marked as bound once (markCorrelationBound()), which each request's child
 * inherits, instead of two properties written on each. Being a child, it also has pino's
 * formatters of children, which a child of it then keeps instead of rebuilding them. Made again
 * when the app's logger got other bindings (setBindings()) or another mixin since.
 */
function requestsParent (plain: PlainBinding, child: ChildLogger): object {
  const logger = plain.logger as Record<symbol, unknown>
  const chindings = logger[plain.chindings]
  const mixin = plain.mixin === undefined ? undefined : logger[plain.mixin]
  if (plain.parent === null || chindings !== plain.chindingsThen || mixin !== plain.mixinThen) {
    plain.parent = markCorrelationBound(child.call(logger, {}))
    plain.chindingsThen = chindings
    plain.mixinThen = mixin
  }
  return plain.parent
}
