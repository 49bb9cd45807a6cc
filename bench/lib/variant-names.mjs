// The server variants' names in plugin-cpu.mjs and plugin-instructions.mjs: `<kind>[-log][-baseline]`.
// `-log` is the "logger on" twin (bench/lib/logger-on.mjs), `-baseline` another build's vigie.

/** A variant's kind without its suffixes, and whether its logger is on. */
export function parseVariant (variant) {
  const name = variant.replace(/-baseline$/, '')
  const logged = name.endsWith('-log')
  const kind = logged ? name.slice(0, -'-log'.length) : name
  if (kind.endsWith('-lopts') && !logged) throw new Error(`${variant}: loggerOptions() variants need the logger on (${kind}-log)`)
  return { kind, logged }
}

/** The bare app or ALS floor (`kind`: 'bare' or 'als') a variant is compared with: same framework, same logger. */
export function baseOf (variant, kind) {
  return `${variant.startsWith('express') ? 'express-' : ''}${kind}${parseVariant(variant).logged ? '-log' : ''}`
}
