import { currentRequestStore } from '../context/request-context.ts'
import { sharedSymbol } from '../process-state.ts'
import { kCorrelationBound } from './symbols.ts'

/** pino's `mixin` option: what it returns is merged into the line. */
export type PinoMixin = (mergeObject: object, level: number, logger: unknown) => object

// Set on the mixins below, to the app's mixin they chain (or null): a logger whose mixin has it
// already writes the ID.
const kWritesCorrelationId = sharedSymbol('writesCorrelationId')
// How a logger's bindings, as pino writes them, hold the key: `"correlation` then `Id":`.
const KEY_HEAD = '"correlation'
const KEY_TAIL = 'Id":'

/**
 * A pino mixin that puts the running request's `correlationId` on every line written inside a
 * request, by any logger, and chains `appMixin`. A logger whose bindings already hold the key
 * (a request's child logger, or one the app bound itself) is left as it is, so that no line
 * carries the key twice.
 */
export function correlationMixin (appMixin?: PinoMixin): PinoMixin {
  // The chindings symbol of the pino copy that built the last logger seen: each copy has its own.
  let chindings: symbol | undefined
  function isBound (logger: Record<symbol, unknown>): boolean {
    if (logger[kCorrelationBound] === true) return true
    if (chindings === undefined || !(chindings in logger)) chindings = describedSymbol(logger, 'pino.chindings')
    const bound = chindings === undefined ? undefined : logger[chindings]
    return typeof bound === 'string' && holdsCorrelationKey(bound)
  }
  const mixin: PinoMixin = appMixin === undefined
    ? function vigieCorrelationMixin (_mergeObject, _level, logger) {
      const store = currentRequestStore()
      if (store === undefined || isBound(logger as Record<symbol, unknown>)) return {}
      return { correlationId: store.correlationId }
    }
    : function vigieCorrelationMixin (mergeObject, level, logger) {
      const extra = appMixin(mergeObject, level, logger)
      const store = currentRequestStore()
      if (store === undefined || isBound(logger as Record<symbol, unknown>)) return extra
      return { correlationId: store.correlationId, ...extra }
    }
  Object.defineProperty(mixin, kWritesCorrelationId, { value: appMixin ?? null })
  return mixin
}

/**
 * Whether `bindings` holds `"correlationId":`. The text is searched for `Id":`, which a
 * logger's bindings seldom hold (a serialised request, pino-http's, has few capitals), and
 * each place found is checked for the rest of the key before it: the answer of
 * `bindings.includes('"correlationId":')`, without stopping at each of the many quotes of a
 * serialised request on the way. Cheap enough to need no memo on the logger (a property added to
 * each request's child logger costs more than the search).
 */
export function holdsCorrelationKey (bindings: string): boolean {
  for (let at = bindings.indexOf(KEY_TAIL, KEY_HEAD.length); at !== -1; at = bindings.indexOf(KEY_TAIL, at + KEY_TAIL.length)) {
    if (bindings.startsWith(KEY_HEAD, at - KEY_HEAD.length)) return true
  }
  return false
}

type CorrelationMixin = PinoMixin & { [kWritesCorrelationId]?: PinoMixin | null }

// The mixin symbol of the pino copy that built the last logger marked.
let markedMixinSymbol: symbol | undefined

/**
 * Records that `logger`'s bindings hold the correlation ID, so that the mixin adds nothing to its
 * lines; and, when the mixin it inherits is vigie's, gives it the app's mixin alone, so that pino
 * does not call vigie's for each of its lines (a request's logger writes most of them).
 */
export function markCorrelationBound<L> (logger: L): L {
  const target = logger as Record<symbol, unknown>
  target[kCorrelationBound] = true
  if (markedMixinSymbol === undefined || !(markedMixinSymbol in target)) markedMixinSymbol = describedSymbol(target, 'pino.mixin')
  if (markedMixinSymbol === undefined) return logger
  const app = (target[markedMixinSymbol] as CorrelationMixin | undefined)?.[kWritesCorrelationId]
  if (app !== undefined) target[markedMixinSymbol] = app ?? undefined
  return logger
}

/**
 * Gives `logger` (a pino logger: its children follow) the correlation mixin, chained with the
 * mixin it has. `mixinSymbol` is the `symbols.mixinSym` of the pino copy that built it; without
 * it, the symbol is looked up on the logger. Anything that is not a pino logger is left alone.
 */
export function injectCorrelationId (logger: unknown, mixinSymbol?: symbol): void {
  if (logger === null || typeof logger !== 'object') return
  const target = logger as Record<symbol, unknown>
  const sym = mixinSymbol ?? describedSymbol(target, 'pino.mixin')
  if (sym === undefined || !(sym in target)) return
  const current = target[sym] as CorrelationMixin | undefined
  if (current?.[kWritesCorrelationId] !== undefined) return
  target[sym] = correlationMixin(typeof current === 'function' ? current : undefined)
}

/** The symbol described `description` on `logger` or its prototypes (pino's own differ per copy of pino). */
export function describedSymbol (logger: object, description: string): symbol | undefined {
  for (let target: object | null = logger; target !== null; target = Object.getPrototypeOf(target)) {
    for (const sym of Object.getOwnPropertySymbols(target)) {
      if (sym.description === description) return sym
    }
  }
  return undefined
}
