import { VigieError } from '../errors.js'
import { envVariableFor, optionsFromEnv } from './env-options.js'
import { patchAll } from './patch-all.js'

/**
 * What `vigie/register` does, for both module systems: patchAll() with options from the
 * environment. Problems are reported as process warnings (the app has no logger yet) and never
 * stop the app: a bad variable is left out; if the options as a whole are refused, vigie stays
 * off. When the process runs out of work (`beforeExit`, not a signal), buffered metrics are
 * flushed: the app never called unpatch() itself, and Express apps have no close hook.
 */
export function registerFromEnv (env: NodeJS.ProcessEnv = process.env): void {
  const { options, problems } = optionsFromEnv(env)
  for (const problem of problems) process.emitWarning(problem, { code: 'VIGIE_ERR_INVALID_ENV' })
  try {
    const unpatch = patchAll(options)
    process.once('beforeExit', () => { unpatch().catch(() => {}) })
  } catch (err) {
    if (!(err instanceof VigieError)) throw err
    const option = /option "([^"]+)"/.exec(err.message)?.[1]
    const variable = option === undefined ? undefined : envVariableFor(option)
    const source = variable === undefined ? '' : ` (set by environment variable ${variable})`
    process.emitWarning(`${err.message}${source}. vigie is not installed; the app runs without it.`, { code: err.code })
  }
}
