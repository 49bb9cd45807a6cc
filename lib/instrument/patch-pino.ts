import lazyDependencies from '../lazy-dependencies.cjs'
import { injectCorrelationId } from '../logging/log-injection.ts'
import type { HookedModule } from './hooked-modules.ts'

type PinoFactory = ((...args: unknown[]) => unknown) & { symbols?: { mixinSym?: symbol } }

const PINO: HookedModule = 'pino'
// The names pino exports itself under, besides the module itself.
const SELF_EXPORTS = ['default', 'pino'] as const

/**
 * Log injection for patchAll(): every pino logger created from now on, by any copy of pino
 * loaded after this call (through `require` or, with `--import vigie/register`'s loader,
 * `import`), gets the correlation mixin (log-injection.ts), and so do its children. Loggers
 * made before, or from a copy of pino loaded before, are left as they are.
 * Returns the function that stops it for copies loaded later.
 */
export function patchPino (): () => void {
  const wrappers = new WeakMap<PinoFactory, PinoFactory>()
  const ours = new WeakSet<PinoFactory>()

  function wrap (pino: unknown): unknown {
    if (typeof pino !== 'function' || ours.has(pino as PinoFactory)) return pino
    const original = pino as PinoFactory
    let wrapper = wrappers.get(original)
    if (wrapper !== undefined) return wrapper
    const mixinSym = original.symbols?.mixinSym
    wrapper = function vigiePino (this: unknown, ...args: unknown[]): unknown {
      const logger = Reflect.apply(original, this, args)
      try {
        injectCorrelationId(logger, mixinSym)
      } catch {
        // A logger vigie cannot read logs without the ID rather than not at all.
      }
      return logger
    } as PinoFactory
    for (const key of Reflect.ownKeys(original)) {
      if (key === 'length' || key === 'name' || key === 'prototype') continue
      const descriptor = Reflect.getOwnPropertyDescriptor(original, key)
      if (descriptor !== undefined) Reflect.defineProperty(wrapper, key, descriptor)
    }
    for (const key of SELF_EXPORTS) {
      if ((original as unknown as Record<string, unknown>)[key] === original) (wrapper as unknown as Record<string, unknown>)[key] = wrapper
    }
    wrappers.set(original, wrapper)
    ours.add(wrapper)
    return wrapper
  }

  const { Hook: RequireHook } = lazyDependencies.requireInTheMiddle()
  const { Hook: ImportHook } = lazyDependencies.importInTheMiddle()
  const requireHook = new RequireHook([PINO], function onRequirePino<T> (exported: T): T {
    return wrap(exported) as T
  })
  const importHook = new ImportHook([PINO], function onImportPino (exported) {
    const namespace = exported as Record<string, unknown>
    for (const key of SELF_EXPORTS) {
      if (typeof namespace[key] === 'function') namespace[key] = wrap(namespace[key])
    }
  })
  return function unpatchPino () {
    requireHook.unhook()
    importHook.unhook()
  }
}
