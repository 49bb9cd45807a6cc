// The CommonJS entry follows the Fastify plugin convention: `require('vigie')` is the plugin
// itself, with `.default`, `.observability` and every named export as properties.
import * as vigie from './index.js'

const plugin = vigie.observability
export = Object.assign(plugin, vigie, { default: plugin })
