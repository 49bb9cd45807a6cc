// Errors about resolved options that say where each value came from: a value set by an
// environment variable is refused as that variable (VIGIE_ERR_INVALID_ENV), and an error that
// involves options the environment set lists those variables.

import type { EnvSource } from './environment.ts'
import { ERROR_CODES, VigieError, invalidEnv, invalidOption, type InvalidOption, type VigieErrorCode } from '../errors.ts'

export class OptionErrors {
  readonly #sources: ReadonlyMap<string, EnvSource>

  /** `sources`: for each option path the environment set, the variable that set it. */
  constructor (sources: ReadonlyMap<string, EnvSource>) {
    this.#sources = sources
  }

  /**
   * A bad value: as an environment variable's when one set it, or set the option it belongs to
   * (`scrub.keys[1]`: `VIGIE_SCRUB_KEYS`). The variable's own text is quoted, or the bad part of it.
   */
  readonly invalid: InvalidOption = (name, expected, received, secret = false) => {
    for (let path: string | undefined = name; path !== undefined; path = parentPath(path)) {
      const source = this.#sources.get(path)
      if (source !== undefined) return invalidEnv(source.variable, name, expected, path === name ? source.text : received, secret)
    }
    return invalidOption(name, expected, received, secret)
  }

  /** Two options that cannot be used together. */
  conflict (options: readonly string[], message: string): VigieError {
    return this.involving(ERROR_CODES.CONFLICTING_OPTIONS, options, message)
  }

  /**
   * An error about several options: the variables set behind any of them (sub-options
   * included: `propagation` is set by `VIGIE_PROPAGATION_TARGETS` too) are named at the end.
   */
  involving (code: VigieErrorCode, options: readonly string[], message: string): VigieError {
    const variables = [...this.#sources]
      .filter(([path]) => options.some((option) => path === option || path.startsWith(`${option}.`)))
      .map(([, source]) => source.variable)
    const source = variables.length === 0 ? '' : ` (set by environment variable${variables.length > 1 ? 's' : ''} ${variables.join(', ')})`
    return new VigieError(code, `${message}${source}`, { options, variables })
  }
}

/** `statsd.globalTags.env` → `statsd.globalTags`, `scrub.keys[0]` → `scrub.keys`, `statsd` → undefined. */
function parentPath (path: string): string | undefined {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['))
  return cut > 0 ? path.slice(0, cut) : undefined
}
