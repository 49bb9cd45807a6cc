import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { VERSION } from './version.ts'

/**
 * What must exist once per process, even when both the ESM and the CommonJS builds of vigie are
 * loaded (the dual-package hazard): two AsyncLocalStorage instances would each see only their own
 * requests, and two copies of a patch would apply twice. It lives on globalThis under a key that
 * names this version of vigie, so two different versions in one process never read each other's
 * objects, whose shapes may differ; each version then patches and counts on its own.
 */
const kState = Symbol.for(`vigie@${VERSION}`)

interface Installation {
  refs: number
  readonly uninstall: () => void
}

interface ProcessState {
  readonly slots: Map<string, unknown>
  /** Per patched object, its installations by name: see acquire(). */
  readonly installations: WeakMap<object, Map<string, Installation>>
}

const holder = globalThis as typeof globalThis & { [kState]?: ProcessState }
const state: ProcessState = holder[kState] ??= { slots: new Map(), installations: new WeakMap() }

/** A symbol every copy of this vigie version shares, for markers on objects vigie does not own. */
export function sharedSymbol (name: string): symbol {
  return Symbol.for(`vigie@${VERSION}.${name}`)
}

/** The process's one `name` value, made by `create` on first use by any copy of vigie. */
export function processWide<T> (name: string, create: () => T): T {
  if (!state.slots.has(name)) state.slots.set(name, create())
  return state.slots.get(name) as T
}

/**
 * Installs something on `target` once, however many apps (or copies of vigie) ask for it, and
 * returns a release function: the last release uninstalls it. Releasing twice is harmless.
 */
export function acquire (target: object, name: string, install: () => () => void): () => void {
  let byName = state.installations.get(target)
  if (byName === undefined) state.installations.set(target, byName = new Map())
  let installation = byName.get(name)
  if (installation === undefined) {
    installation = { refs: 0, uninstall: install() }
    byName.set(name, installation)
  }
  installation.refs++
  const current = installation
  const installed = byName
  let released = false
  return function release () {
    if (released) return
    released = true
    if (--current.refs > 0 || installed.get(name) !== current) return
    installed.delete(name)
    current.uninstall()
  }
}

/** True while `name` is installed on `target` by this version of vigie. */
export function isInstalled (target: object, name: string): boolean {
  return state.installations.get(target)?.has(name) === true
}

/**
 * The process-wide CommonJS module cache (modules an ESM `import` loaded through CommonJS
 * included). Any absolute base path gives the same cache; a fixed root, unlike process.cwd(),
 * cannot throw when the working directory has been removed, and works in the ESM and CJS builds.
 */
export function loadedCommonJsModules (): NodeJS.Dict<NodeJS.Module> {
  return createRequire(resolve('/', 'index.js')).cache
}
