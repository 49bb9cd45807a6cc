import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { createServer } from 'node:net'

/** A UDP port on 127.0.0.1 with nothing behind it: bound once, then released. */
export async function closedUdpPort (): Promise<number> {
  const probe = createSocket('udp4')
  probe.bind(0, '127.0.0.1')
  await once(probe, 'listening')
  const { port } = probe.address()
  probe.close()
  await once(probe, 'close')
  return port
}

/**
 * A TCP port on 127.0.0.1 with nothing listening: listened on once, then closed. Also how a test
 * picks a port for a server it starts in a child process (PostgreSQL, MariaDB).
 */
export async function freeTcpPort (): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  server.close()
  await once(server, 'close')
  return port
}

/** A TCP port nothing listens on, for a client that must be refused. */
export const closedTcpPort = freeTcpPort
