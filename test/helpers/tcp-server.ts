import { once } from 'node:events'
import { createServer, type Server, type Socket } from 'node:net'
import type { Test } from 'tap'

export interface TcpServer {
  readonly server: Server
  readonly port: number
  /** The connections open now. */
  readonly connections: ReadonlySet<Socket>
  /** How many connections it has accepted in all. */
  readonly accepted: () => number
}

/**
 * A real TCP server on 127.0.0.1 and a free port (or `port`), torn down with the test (its connections destroyed);
 * `onConnection` decides what it does with each connection. Connection errors are ignored: the
 * peer under test may reset them.
 */
export async function startTcpServer (t: Test, onConnection: (connection: Socket) => void, port = 0): Promise<TcpServer> {
  const connections = new Set<Socket>()
  let accepted = 0
  const server = createServer((connection) => {
    accepted++
    connections.add(connection)
    connection.on('close', () => connections.delete(connection))
    connection.on('error', () => {})
    onConnection(connection)
  })
  server.listen(port, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => {
    for (const connection of connections) connection.destroy()
    server.close()
  })
  const address = server.address()
  return { server, port: typeof address === 'object' && address !== null ? address.port : 0, connections, accepted: () => accepted }
}

/** A TCP server that keeps every byte it reads: `received()` is all of it, as UTF-8. */
export async function startTcpCollector (t: Test, port = 0): Promise<TcpServer & { received: () => string }> {
  const chunks: Buffer[] = []
  const server = await startTcpServer(t, (connection) => connection.on('data', (chunk: Buffer) => chunks.push(chunk)), port)
  return { ...server, received: () => Buffer.concat(chunks).toString('utf8') }
}
