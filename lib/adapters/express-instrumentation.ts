import { invalidOption } from '../errors.js'
import { loadedCommonJsModules } from '../process-state.js'
import { recordMounts, routerUseHolder } from './express-mount-recorder.js'
import { trackRequests } from './express-request-state.js'

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
  const releaseMounts = recordMounts(holder)
  const request = requestPrototypeOf(expressModule)
  const releaseRequests = request === undefined ? () => {} : trackRequests(request)
  return function releaseExpressInstrumentation () {
    releaseMounts()
    releaseRequests()
  }
}

function requestPrototypeOf (expressModule: unknown): object | undefined {
  for (const candidate of [expressModule, (expressModule as { default?: unknown } | null)?.default]) {
    const request = (candidate as { request?: unknown } | null | undefined)?.request
    if (request !== null && typeof request === 'object') return request
  }
  return undefined
}

/**
 * Instruments every copy of Express already loaded: CommonJS modules, those an ESM `import`
 * loaded included, are in `require.cache`. Returns one function that undoes them all.
 */
export function instrumentLoadedExpress (): () => void {
  const cache = loadedCommonJsModules()
  const copies = new Set<unknown>()
  for (const entry of Object.values(cache)) {
    const exported: unknown = entry?.exports
    if (typeof exported !== 'function') continue
    const { application, request } = exported as { application?: unknown, request?: unknown }
    if (application !== undefined && request !== undefined && routerUseHolder(exported) !== undefined) copies.add(exported)
  }
  const releases = [...copies].map((copy) => instrumentExpress(copy))
  return function releaseLoadedExpress () {
    for (const release of releases) release()
  }
}
