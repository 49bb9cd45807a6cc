// `node -r vigie/register app.cjs`: CommonJS requires are hooked by require-in-the-middle.
import { registerFromEnv } from './instrument/register-from-env.js'

registerFromEnv()
