// `node -r vigie/register app.cjs`: instruments every app; CommonJS requires are hooked by
// require-in-the-middle. With VIGIE_DISABLED set it installs nothing and loads no more than the
// kill switch's reader.
import { isDisabled } from './options/environment.ts'

if (!isDisabled()) {
  const { registerFromEnv } = require('./instrument/register-from-env.js') as typeof import('./instrument/register-from-env.ts')
  registerFromEnv()
}
