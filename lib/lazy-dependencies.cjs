// The dependencies vigie loads the first time something needs them rather than when vigie is
// imported: an app that never calls patchAll() never loads the module-hooking libraries, and
// `import('vigie')` pays for none of these. A .cjs module is CommonJS in both builds, so its
// `require` resolves from vigie's own directory in the ESM build too (import() would be
// asynchronous, and `createRequire(import.meta.url)` does not compile in the CommonJS build).
// Plain JavaScript typed by JSDoc, so that Node runs it as it is, with or without type stripping.
'use strict'

/**
 * The part of nodemailer vigie uses: an optional peer dependency, whose types may be absent.
 * @typedef {{ createTransport: (transport: string | Record<string, unknown>) => { sendMail: (mail: Record<string, unknown>) => Promise<unknown>, close: () => void } }} Nodemailer
 */

module.exports = {
  /** @returns {typeof import('hot-shots')} */
  hotShots: () => require('hot-shots'),
  /** @returns {typeof import('import-in-the-middle')} */
  importInTheMiddle: () => require('import-in-the-middle'),
  /**
   * Only when an e-mail notifier is configured (alerts.plans).
   * @returns {Nodemailer}
   */
  nodemailer: () => require('nodemailer'),
  /** @returns {typeof import('pino').default} */
  pino: () => require('pino'),
  /** @returns {typeof import('require-in-the-middle')} */
  requireInTheMiddle: () => require('require-in-the-middle'),
  /** @returns {typeof import('uuid')} */
  uuid: () => require('uuid'),
}
