import { installFetchInstrumentation } from './outgoing-fetch.ts'
import { installHttpInstrumentation } from './outgoing-http.ts'

/**
 * Process-wide: adds the correlation header to outgoing `fetch` (undici) and
 * `http(s).request`/`get` calls made while vigie handles a request, and times them. Returns the
 * function that restores everything as it was.
 */
export function installOutgoingInstrumentation (): () => void {
  const uninstallFetch = installFetchInstrumentation()
  const uninstallHttp = installHttpInstrumentation()
  return function uninstallOutgoingInstrumentation () {
    uninstallHttp()
    uninstallFetch()
  }
}
