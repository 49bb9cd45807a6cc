import { connect } from 'node:net'

/**
 * Sends raw bytes over a real socket (headers fetch would refuse to send, a body in two parts)
 * and returns the whole response as latin1 text.
 */
export function rawRequest (url: string, head: string, laterBody?: string): Promise<string> {
  const { hostname, port } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(Buffer.from(head, 'latin1'))
      if (laterBody === undefined) socket.end()
      else setTimeout(() => socket.end(laterBody), 30)
    })
    let data = ''
    socket.on('data', (chunk) => { data += chunk.toString('latin1') })
    socket.on('end', () => resolve(data))
    socket.on('error', reject)
  })
}

/** A header's value in a raw response, or undefined. */
export function headerOf (response: string, name: string): string | undefined {
  const line = response.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name}:`))
  return line?.slice(name.length + 1).trim()
}

/**
 * A client that goes away: sends a GET, then closes its socket after `ms` without waiting for
 * the answer, as a browser tab closed mid-request does. (fetch's abort leaves undici's socket
 * open until an answer comes, so the server would not see the client leave.)
 */
export function requestThenLeave (url: string, ms: number, headers: Record<string, string> = {}): Promise<void> {
  const { hostname, port, pathname, search } = new URL(url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const lines = [`GET ${pathname}${search} HTTP/1.1`, `Host: ${hostname}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)]
      socket.write(`${lines.join('\r\n')}\r\n\r\n`)
      setTimeout(() => socket.destroy(), ms)
    })
    socket.on('close', () => resolve())
    socket.on('error', reject)
  })
}
