import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'

/** A real UDP StatsD listener on 127.0.0.1 and a free port (or `port`), collecting every metric line it receives. */
export interface StatsdListener {
  readonly port: number
  readonly lines: string[]
  /** Each datagram received, whole. */
  readonly datagrams: string[]
  /** The size in bytes of each datagram received. */
  readonly datagramSizes: number[]
  /** Resolves once `predicate` holds for the lines received so far (polls; rejects after timeoutMs). */
  waitFor: (predicate: (lines: string[]) => boolean, timeoutMs?: number) => Promise<string[]>
  close: () => Promise<void>
}

export async function startStatsdListener (port = 0): Promise<StatsdListener> {
  const socket: Socket = createSocket('udp4')
  const lines: string[] = []
  const datagrams: string[] = []
  const datagramSizes: number[] = []
  socket.on('message', (msg) => {
    datagramSizes.push(msg.length)
    datagrams.push(msg.toString('utf8'))
    for (const line of msg.toString('utf8').split('\n')) {
      if (line !== '') lines.push(line)
    }
  })
  socket.bind(port, '127.0.0.1')
  await once(socket, 'listening')
  return {
    port: socket.address().port,
    lines,
    datagrams,
    datagramSizes,
    async waitFor (predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs
      while (!predicate(lines)) {
        if (Date.now() > deadline) throw new Error(`statsd listener: condition not met within ${timeoutMs} ms; got:\n${lines.join('\n')}`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      return lines
    },
    async close () {
      socket.close()
      await once(socket, 'close')
    },
  }
}
