import { createRequire } from 'node:module'
import { resolve } from 'node:path'

/**
 * The process-wide CommonJS module cache (modules an ESM `import` loaded through CommonJS
 * included). Any absolute base path gives the same cache; a fixed root, unlike process.cwd(),
 * cannot throw when the working directory has been removed, and works in the ESM and CJS builds.
 */
export function loadedCommonJsModules (): NodeJS.Dict<NodeJS.Module> {
  return createRequire(resolve('/', 'index.js')).cache
}
