import { invalidOption } from '../errors.js'
import { loadedCommonJsModules } from '../instrument/require-cache.js'
import { recordMounts, routerUseHolder } from './express-mount-recorder.js'

/**
 * Patches one copy of Express so that routers mounted from now on record their mount paths
 * (for full `controller` patterns such as `/api/users/:id`), and so that mounting vigie's
 * middleware keeps unhandled errors away from Express's final handler. `expressObservability()`
 * does this for every copy already loaded; call it yourself when Express is bundled or loaded
 * later, before the routers are mounted. Idempotent; the returned function undoes this call.
 * Throws a VigieError if `expressModule` is not the express module.
 *
 * @example
 * import express from 'express'
 * import { instrumentExpress } from 'vigie'
 * instrumentExpress(express)
 */
export function instrumentExpress (expressModule: unknown): () => void {
  const holder = routerUseHolder(expressModule)
  if (holder === undefined) throw invalidOption('express', 'the express module (with express.Router)', expressModule)
  return recordMounts(holder)
}

/**
 * Instruments every copy of Express already loaded: CommonJS modules, those an ESM `import`
 * loaded included, are in `require.cache`. Returns one function that undoes them all.
 */
export function instrumentLoadedExpress (): () => void {
  const cache = loadedCommonJsModules()
  const holders = new Set<ReturnType<typeof routerUseHolder>>()
  for (const entry of Object.values(cache)) {
    const exported: unknown = entry?.exports
    if (typeof exported !== 'function') continue
    const { application, request } = exported as { application?: unknown, request?: unknown }
    if (application !== undefined && request !== undefined) holders.add(routerUseHolder(exported))
  }
  holders.delete(undefined)
  const releases = [...holders].map((holder) => recordMounts(holder!))
  return function releaseLoadedExpress () {
    for (const release of releases) release()
  }
}
