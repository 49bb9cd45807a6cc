// The dependencies vigie loads the first time something needs them rather than when vigie is
// imported: an app that never calls patchAll() never loads the module-hooking libraries, and
// `import('vigie')` pays for none of these. A .cts module is CommonJS in both builds, so its
// `require` resolves from vigie's own directory in the ESM build too (import() would be
// asynchronous, and `createRequire(import.meta.url)` does not compile in the CommonJS build).
import type * as HotShots from 'hot-shots'
import type * as ImportInTheMiddle from 'import-in-the-middle'
import type Pino from 'pino'
import type * as RequireInTheMiddle from 'require-in-the-middle'
import type * as Uuid from 'uuid'

/** The part of nodemailer vigie uses: an optional peer dependency, whose types may be absent. */
interface Nodemailer {
  createTransport: (transport: string | Record<string, unknown>) => {
    sendMail: (mail: Record<string, unknown>) => Promise<unknown>
    close: () => void
  }
}

const lazyDependencies = {
  hotShots: (): typeof HotShots => require('hot-shots'),
  importInTheMiddle: (): typeof ImportInTheMiddle => require('import-in-the-middle'),
  /** Only when an e-mail notifier is configured (alerts.plans). */
  nodemailer: (): Nodemailer => require('nodemailer'),
  pino: (): typeof Pino => require('pino'),
  requireInTheMiddle: (): typeof RequireInTheMiddle => require('require-in-the-middle'),
  uuid: (): typeof Uuid => require('uuid'),
}

export = lazyDependencies
