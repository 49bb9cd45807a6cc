// Shared by every server variant: the port, the JSON answer, a served-requests counter, and a
// shutdown that closes the app (vigie flushes its StatsD buffer on close) then prints the count.
export const port = Number(process.env.PORT || 3000)
export const host = '127.0.0.1'
export let served = 0

export function user (id) {
  served++
  return { id, name: 'Ada Lovelace', email: 'ada@example.com', role: 'admin', active: true }
}

export async function ready (close) {
  process.stdout.write('ready\n')
  const stop = async () => {
    try { await close() } catch {}
    process.stdout.write(`served ${served}\n`, () => process.exit(0))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}

export function listenExpress (app, afterClose = async () => {}) {
  const server = app.listen(port, host, () => {
    ready(() => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }).then(afterClose))
  })
  return server
}
