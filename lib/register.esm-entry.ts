// `node --import vigie/register app.mjs`: hooks ESM imports of Express before the app loads (an
// in-code patchAll() comes too late for a static `import express`), then instruments every app.
import { register } from 'node:module'
import { registerFromEnv } from './instrument/register-from-env.js'

register('import-in-the-middle/hook.mjs', import.meta.url, { data: { include: ['express', 'pino'] } })
registerFromEnv()
