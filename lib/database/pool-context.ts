import { AsyncResource } from 'node:async_hooks'
import { currentRequestStore } from '../context/request-context.ts'
import { sharedSymbol } from '../process-state.ts'

type Method = (this: unknown, ...args: unknown[]) => unknown

const kPoolWrapper = sharedSymbol('poolCallbackContext')

/**
 * mysql2's pool (and pg-pool, whose `connect` is wrapped the same way) keeps the callback of a caller that waits for a free connection and calls it
 * when another request releases one: in that other request's async context. Its query would then
 * be counted under the wrong route. Inside a request, `getConnection`'s callback (which pool
 * `query` and `execute` use too) is bound to the caller's async context, as
 * `AsyncResource.bind` does; outside a request nothing changes. The callback is called with the
 * same `this` and arguments. Returns false when the class has no `getConnection`.
 *
 * Binding costs an async resource (about 1 µs on Node 26, 12 µs on Node 20), so it is done only
 * when the caller may have to wait: a pool with no idle connection and no room for a new one. A
 * connection handed at once, or made for the caller, calls back in the caller's own context.
 */
export function bindPoolCallbacks (Pool: unknown, method: 'getConnection' | 'connect', restores: Array<() => void>): boolean {
  let owner = (Pool as { prototype?: object } | null)?.prototype ?? null
  while (owner !== null && !Object.hasOwn(owner, method)) owner = Object.getPrototypeOf(owner) as object | null
  if (owner === null) return false
  const target = owner as Record<string, unknown>
  const original = target[method]
  if (typeof original !== 'function') return false
  if (Object.hasOwn(original, kPoolWrapper)) return true
  let active = true
  const wrapper: Method = function (this: unknown, ...args: unknown[]): unknown {
    if (active && typeof args[0] === 'function' && currentRequestStore() !== undefined && mayWait(this)) {
      args[0] = AsyncResource.bind(args[0] as Method)
    }
    return Reflect.apply(original as Method, this, args)
  }
  Object.defineProperties(wrapper, {
    name: { value: original.name, configurable: true },
    length: { value: original.length, configurable: true },
    [kPoolWrapper]: { value: true },
  })
  target[method] = wrapper
  restores.push(function unbind () {
    active = false
    if (target[method] === wrapper) target[method] = original
  })
  return true
}

/**
 * Whether a caller of `pool` may wait for another caller's connection: pg-pool (`_idle`,
 * `_clients`, `options.max`, `_pendingQueue`) or mysql2's pool (`_freeConnections`,
 * `_allConnections`, `config.connectionLimit`, `_connectionQueue`) with none free and no room
 * for another. True when the pool is neither (its callback is then always bound).
 */
function mayWait (pool: unknown): boolean {
  const p = pool as Record<string, any> | null
  if (p === null || typeof p !== 'object') return true
  if (Array.isArray(p._idle) && Array.isArray(p._clients) && typeof p.options?.max === 'number') {
    return (p._pendingQueue?.length ?? 0) > 0 || (p._idle.length === 0 && p._clients.length >= p.options.max)
  }
  const free = p._freeConnections
  const all = p._allConnections
  const limit = p.config?.connectionLimit
  if (typeof free?.length === 'number' && typeof all?.length === 'number' && typeof limit === 'number') {
    return (p._connectionQueue?.length ?? 0) > 0 || (free.length === 0 && limit !== 0 && all.length >= limit)
  }
  return true
}
