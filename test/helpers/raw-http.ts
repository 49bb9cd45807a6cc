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
