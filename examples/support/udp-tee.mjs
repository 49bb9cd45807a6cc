// A UDP relay between an app and a StatsD daemon: every datagram is kept, as sent, and passed on
// unchanged, so the demo can show what went over the wire beside what the daemon stored.
import dgram from 'node:dgram'
import { once } from 'node:events'

/**
 * @param {{ host: string, port: number }} target where the datagrams go on to
 * @returns {Promise<{ host: string, port: number, lines: string[], close(): void }>} where to send
 *   instead; `lines`: every line received so far, in order
 */
export async function startUdpTee (target) {
  const socket = dgram.createSocket('udp4')
  const lines = []
  socket.on('message', (datagram) => {
    lines.push(...datagram.toString('utf8').split('\n').filter(Boolean))
    socket.send(datagram, target.port, target.host)
  })
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  return { host: '127.0.0.1', port: socket.address().port, lines, close: () => socket.close() }
}
