import { AsyncResource } from 'node:async_hooks'
import { currentRequestStore } from '../context/request-context.js'
import { sharedSymbol } from '../process-state.js'

type Method = (this: unknown, ...args: unknown[]) => unknown

const kPoolWrapper = sharedSymbol('poolCallbackContext')

/**
 * mysql2's pool (and pg-pool, whose `connect` is wrapped the same way) keeps the callback of a caller that waits for a free connection and calls it
 * when another request releases one: in that other request's async context. Its query would then
 * be counted under the wrong route. Inside a request, `getConnection`'s callback (which pool
 * `query` and `execute` use too) is bound to the caller's async context, as
 * `AsyncResource.bind` does; outside a request nothing changes. The callback is called with the
 * same `this` and arguments. Returns false when the class has no `getConnection`.
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
    if (active && typeof args[0] === 'function' && currentRequestStore() !== undefined) {
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
