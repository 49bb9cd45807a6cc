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

/**
 * A port `base` such that `base + 1` to `base + count` are free on 127.0.0.1 (each listened on
 * once, then closed): the ports of a cluster's workers when each takes `base + cluster.worker.id`.
 */
export async function freeTcpPortRun (count: number): Promise<number> {
  for (;;) {
    const base = await freeTcpPort()
    if (base + count > 65_535) continue
    const servers = Array.from({ length: count }, (_, k) => createServer().listen(base + 1 + k, '127.0.0.1'))
    const free = await Promise.all(servers.map(async (server) => await new Promise<boolean>((resolve) => {
      server.once('listening', () => resolve(true)).once('error', () => resolve(false))
    })))
    await Promise.all(servers.filter((_, k) => free[k]).map(async (server) => { server.close(); await once(server, 'close') }))
    if (free.every(Boolean)) return base
  }
}
