// The CommonJS entry follows the Fastify plugin convention: `require('vigie')` is the plugin
// itself, with `.default`, `.observability` and every named export as properties.
import * as vigie from './index.ts'

type Plugin = typeof vigie.observability
const plugin: Plugin = vigie.observability
// Typed through index.js, whose declarations guard the optional framework imports; an inferred
// type would spell `import("fastify")` here, unguarded.
const entry: Plugin & typeof vigie & { default: Plugin } = Object.assign(plugin, vigie, { default: plugin })
export = entry
