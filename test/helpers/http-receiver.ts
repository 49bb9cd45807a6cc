import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'

/** One request a receiver took, its body parsed as JSON when it is JSON. */
export interface ReceivedRequest {
  readonly method: string
  /** Path and query. */
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: any
  readonly raw: string
}

/** How to answer a request: a status and a JSON body, or 'hang' to never answer. */
export type Answer = { status: number, body?: unknown } | 'hang'

export interface HttpReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  readonly requests: ReceivedRequest[]
  close: () => Promise<void>
}

/**
 * A real HTTP server on 127.0.0.1 standing in for a SaaS endpoint (Slack, PagerDuty, GitHub, an
 * Alertmanager receiver): it records each request and answers as `answer` says (n counts from 0).
 * close() also ends the connections it never answered.
 */
export async function startReceiver (answer: (request: ReceivedRequest, n: number) => Answer = () => ({ status: 200 })): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8')
      let body: unknown = raw
      try {
        body = raw === '' ? undefined : JSON.parse(raw)
      } catch {}
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, raw }
      requests.push(request)
      const reply = answer(request, requests.length - 1)
      if (reply === 'hang') return
      res.writeHead(reply.status, { 'content-type': 'application/json' })
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    async close () {
      server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}
