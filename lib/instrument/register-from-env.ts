import { VigieError } from '../errors.js'
import { envVariablesFor, optionsFromEnv } from './env-options.js'
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
    // The options the message names: `option "x"`, and `with "y"` for a conflict.
    const options = [...err.message.matchAll(/(?:option|with) "([^"]+)"/g)].map((match) => match[1]!)
    const variables = envVariablesFor(options, env)
    const source = variables.length === 0 ? '' : ` (set by environment variable${variables.length > 1 ? 's' : ''} ${variables.join(', ')})`
    process.emitWarning(`${err.message}${source}. vigie is not installed; the app runs without it.`, { code: err.code })
  }
}
