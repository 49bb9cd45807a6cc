import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { Server } from 'node:http'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { adoptExpressApp, appMountsVigie, isExpressModule, markVigieMiddleware, onNewApps } from '../adapters/express.ts'
import { expressObservability, type ExpressObservability, type ExpressVigieOptions } from '../express.ts'
import lazyDependencies from '../lazy-dependencies.cjs'
import { loadedCommonJsModules } from '../process-state.ts'
import type { HookedModule } from './hooked-modules.ts'

const SERVER_REQUEST_CHANNEL = 'http.server.request.start'
const EXPRESS: HookedModule = 'express'

/** The Express majors patchAll() instruments; others are left alone. */
export const SUPPORTED_EXPRESS_MAJORS: readonly number[] = [4, 5]

interface ExpressApp {
  use: (fn: unknown) => unknown
}

/**
 * Instruments Express for patchAll(): every app created from now on gets vigie's middleware as
 * its first one, which adopts the app at its first request (express-app-adoption.ts: full route
 * patterns, errors recorded, unhandled ones answered without a stack). Express copies already loaded
 * are found in require.cache (CommonJS, and ESM imports of it, which load the CommonJS module);
 * later ones through require-in-the-middle and, with `--import vigie/register`'s loader,
 * import-in-the-middle. New apps are caught through `express.application.init`, which Express
 * copies onto every app it creates, so an app gets vigie however it got its `express`. An app
 * of a copy none of these saw (loaded from outside node_modules/express, or bundled) is found
 * at its server's first request, and taken over then.
 * Returns the function that undoes it all and flushes the metrics.
 */
export function patchExpress (options: ExpressVigieOptions): () => Promise<void> {
  // Created with the first Express app: a process without one runs no Express observer (and no
  // second process-gauge sampler).
  let middleware: ExpressObservability | undefined
  const sharedMiddleware = (): ExpressObservability => (middleware ??= expressObservability(options))
  const undo: Array<() => void> = []
  const patched = new WeakSet<object>()

  function patchModule (exported: unknown, version: string | undefined): void {
    if (!isExpressModule(exported) || patched.has(exported as object)) return
    if (version !== undefined && !SUPPORTED_EXPRESS_MAJORS.includes(Number(version.split('.')[0]))) return
    patched.add(exported as object)
    undo.push(onNewApps(exported, function mountVigie (app) {
      try {
        ;(app as ExpressApp).use(automaticMiddleware(sharedMiddleware()))
      } catch {
        // An app we cannot mount on runs without vigie rather than not at all.
      }
    }))
  }

  const cache = loadedCommonJsModules()
  for (const [file, entry] of Object.entries(cache)) {
    if (/[\\/]node_modules[\\/]express[\\/]index\.js$/.test(file)) patchModule(entry?.exports, versionNear(file))
  }
  const { Hook: RequireHook } = lazyDependencies.requireInTheMiddle()
  const { Hook: ImportHook } = lazyDependencies.importInTheMiddle()
  const requireHook = new RequireHook([EXPRESS], function onRequireExpress (exported, _name, baseDir) {
    patchModule(exported, baseDir === undefined ? undefined : versionAt(baseDir))
    return exported
  })
  const importHook = new ImportHook([EXPRESS], function onImportExpress (exported, _name, baseDir) {
    const namespace = exported as { default?: unknown }
    patchModule(namespace.default ?? namespace, baseDir === undefined ? undefined : versionAt(baseDir))
  })
  // Published before the server hands the request to its listeners: the first one is observed.
  const servers = new WeakSet<Server>()
  function onServerRequest (message: unknown): void {
    try {
      const server = (message as { server?: Server }).server
      if (server === undefined || servers.has(server)) return
      servers.add(server)
      for (const listener of server.listeners('request')) adoptExpressApp(listener, automaticMiddleware(sharedMiddleware()) as never)
    } catch {
      // A subscriber that throws is rethrown by Node as an uncaught exception: the app runs without vigie instead.
    }
  }
  subscribe(SERVER_REQUEST_CHANNEL, onServerRequest)

  return async function unpatchExpress () {
    unsubscribe(SERVER_REQUEST_CHANNEL, onServerRequest)
    requireHook.unhook()
    importHook.unhook()
    for (const step of undo.reverse()) step()
    await middleware?.close()
  }
}

const explicitByApp = new WeakMap<object, boolean>()

/**
 * The automatic middleware steps aside for an app that mounts vigie's middleware itself, so that
 * the app's own options win and nothing is counted twice. Decided once per app, at its first
 * request, when its routes are all mounted.
 */
function automaticMiddleware (middleware: ExpressObservability): (req: { app?: object }, res: unknown, next: () => void) => void {
  const automatic = function vigieAutomaticExpressMiddleware (req: { app?: object }, res: unknown, next: () => void): void {
    const app = req.app
    if (app !== undefined) {
      let explicit = explicitByApp.get(app)
      if (explicit === undefined) {
        explicit = appMountsVigie(app, middleware)
        explicitByApp.set(app, explicit)
      }
      if (explicit) {
        next()
        return
      }
    }
    ;(middleware as unknown as (req: unknown, res: unknown, next: () => void) => void)(req, res, next)
  }
  // Marked like vigie's own middleware: an app that has it is observed (adoptExpressApp() skips it).
  return markVigieMiddleware(automatic)
}

function versionAt (baseDir: string): string | undefined {
  try {
    return (createRequire(join(baseDir, 'index.js'))('./package.json') as { version?: string }).version
  } catch {
    return undefined
  }
}

function versionNear (indexFile: string): string | undefined {
  return versionAt(join(indexFile, '..'))
}
