import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { answerOf } from '../core/endpoint-router.ts'
import type { VigieLogger } from '../core/exception-capture.ts'
import type { FailureReporter } from '../core/failure-reporter.ts'
import type { Endpoint, EndpointResponse } from '../core/vigie.ts'

/** The metrics endpoint's own server, when it is not served on the app. */
export interface MetricsServer {
  /** Stops listening and ends open connections (a scraper's kept-alive one among them); settles once closed. */
  readonly close: () => Promise<void>
}

/**
 * Serves `endpoint` on a node:http server of its own at `host:port` (port 0: any free port), and
 * nothing else (404). It does not keep the process alive (unref'd). Once listening, it logs
 * where at info level; a failure to listen (a port in use) is reported, and the app goes on.
 */
export function serveMetrics (endpoint: Endpoint, host: string, port: number, logger: VigieLogger, reporter: Pick<FailureReporter, 'report'>): MetricsServer {
  const [path] = endpoint.paths
  const server = createServer((req, res) => {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    if ((q === -1 ? url : url.slice(0, q)) !== path) {
      send(res, { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not found' }, reporter)
      return
    }
    const answer = answerOf(endpoint, path, req.method ?? 'GET', url, req.headers, req.socket.localAddress, reporter)
    if (answer instanceof Promise) void answer.then((response) => send(res, response, reporter))
    else send(res, answer, reporter)
  })
  server.on('error', (err) => reporter.report('prometheus', err))
  server.listen(port, host, () => {
    const { address, port: bound } = server.address() as AddressInfo
    const shown = address.includes(':') ? `[${address}]` : address
    logger.info({ prometheus: { url: `http://${shown}:${bound}${path}` } }, 'vigie: Prometheus metrics served on their own port')
  })
  server.unref()
  let closed: Promise<void> | undefined
  return {
    close () {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closed
    },
  }
}

function send (res: ServerResponse, response: EndpointResponse, reporter: Pick<FailureReporter, 'report'>): void {
  try {
    res.writeHead(response.status, response.headers)
    res.end(response.body)
  } catch (err) {
    reporter.report('prometheus', err)
  }
}
