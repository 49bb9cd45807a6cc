import { VigieError } from '../errors.ts'
import { patchAll } from './patch-all.ts'

/**
 * What `vigie/register` does, for both module systems: patchAll() with no options in code, so
 * every option comes from the environment (read by resolveOptions(), as for every entry point).
 * A refused configuration (a bad variable, or options that conflict) is reported as one process
 * warning carrying the error's code (the app has no logger yet), and vigie stays off: the app
 * runs without it. When the process runs out of work (`beforeExit`, not a signal), buffered
 * metrics are flushed: the app never called unpatch() itself, and Express apps have no close hook.
 * Returns whether vigie is installed.
 */
export function registerFromEnv (): boolean {
  try {
    const unpatch = patchAll()
    process.once('beforeExit', () => { unpatch().catch(() => {}) })
    return true
  } catch (err) {
    if (!(err instanceof VigieError)) throw err
    process.emitWarning(`${err.message}. vigie is not installed; the app runs without it.`, { code: err.code })
    return false
  }
}
