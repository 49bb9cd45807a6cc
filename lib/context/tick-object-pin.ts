import { executionAsyncResource } from 'node:async_hooks'
import { processWide } from '../process-state.ts'

/** Holds one of Node's process.nextTick() tick objects once the tick has run. */
export interface TickObjectPin {
  object: object | null
}

/**
 * Keeps one process.nextTick() tick object reachable for the life of the process.
 *
 * Node 20 and 22 build every tick object with one literal, `{ [async_id_symbol],
 * [trigger_async_id_symbol], callback, args }` (22 adds its async context frame), and V8
 * remembers, per property, the hidden class it was added to. A full garbage collection that runs
 * while no tick object is alive frees those hidden classes; the next tick builds new ones, and V8
 * then marks all but the first property site megamorphic for good.
 * From then on each process.nextTick() (Node's streams make several per HTTP request) adds its
 * properties through the runtime: about 3× slower per tick, 12–15 µs more per request here.
 * Whether a process falls into that state depends on when its start-up collections run (loading
 * more modules makes it likelier). One live tick object keeps the hidden classes alive.
 */
export function pinTickObject (): TickObjectPin {
  const pin: TickObjectPin = { object: null }
  process.nextTick(() => { pin.object = executionAsyncResource() })
  return pin
}

/**
 * Node 24 builds the same literal, but its V8 keeps the sites monomorphic through such a
 * collection; Node 26 builds tick objects with a class, whose stores stay monomorphic too. The pin
 * only helps before Node 24.
 */
const PIN_HELPS = Number(process.versions.node.split('.')[0]) < 24

/**
 * Pins a tick object once per process, where it helps and unless vigie is `disabled`; returns
 * the process's pin, or null where there is none.
 */
export function installTickObjectPin (disabled: boolean): TickObjectPin | null {
  return processWide('tickObjectPin', () => PIN_HELPS && !disabled ? pinTickObject() : null)
}
