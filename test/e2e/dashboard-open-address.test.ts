// The dashboard with no token (`token: process.env.X`, X unset), served on an address other
// machines can reach: vigie warns once through the app's logger, on real Fastify and Express
// servers listening on every address; what comes in on loopback says nothing.
import { networkInterfaces } from 'node:os'
import t, { type Test } from 'tap'
import type { LogSink } from '../helpers/log-sink.ts'
import { EXPRESS_VERSIONS, startExpressApp } from '../helpers/express-app.ts'
import { startApp } from '../helpers/fastify-app.ts'
import { inCi } from '../helpers/system-packages.ts'

delete process.env.VIGIE_TEST_UNSET_TOKEN
const token = process.env.VIGIE_TEST_UNSET_TOKEN

/**
 * This machine's first IPv4 and first IPv6 address outside loopback's ranges, on any interface
 * (.ci/run's network namespace has one on lo). IPv6 link-local ones would need a scope.
 */
function reachableAddresses (): Array<{ address: string, family: 'IPv4' | 'IPv6' }> {
  const addresses = Object.values(networkInterfaces()).flatMap((list) => list ?? [])
    .filter(({ address }) => !address.startsWith('127.') && address !== '::1' && !address.toLowerCase().startsWith('fe80:'))
  return (['IPv4', 'IPv6'] as const).flatMap((family) => addresses.find((entry) => entry.family === family) ?? [])
    .map(({ address, family }) => ({ address, family }))
}

const reachable = reachableAddresses()
const NO_ADDRESS = 'this machine has no network address but loopback, so no request can come in on another one'

function openWarnings (logs: LogSink): Array<Record<string, any>> {
  return logs.lines.filter((line) => String(line.msg).includes('is served with no token'))
}

async function check (t: Test, { address, family }: { address: string, family: 'IPv4' | 'IPv6' }, start: (host: string) => Promise<{ url: string, logs: LogSink }>): Promise<void> {
  const { url, logs } = await start(family === 'IPv4' ? '0.0.0.0' : '::')
  const port = new URL(url).port
  t.equal((await fetch(`${url}/_vigie`)).status, 200, 'the page, on 127.0.0.1')
  t.equal((await fetch(`${url}/_vigie/data.json`)).status, 200, 'its data, on 127.0.0.1')
  t.same(openWarnings(logs), [], 'no warning for what comes in on loopback')

  const outside = `http://${family === 'IPv4' ? address : `[${address}]`}:${port}`
  t.equal((await fetch(`${outside}/_vigie/data.json`)).status, 200, `its data, on ${address}`)
  t.equal((await fetch(`${outside}/_vigie`)).status, 200, `the page, on ${address}`)
  const warnings = openWarnings(logs)
  t.equal(warnings.length, 1, 'one warning')
  t.match(warnings[0], {
    level: 40,
    msg: `vigie: the dashboard at /_vigie is served with no token on ${address}, an address other machines can reach: anyone who can reach it sees the app's routes, traffic and latest exception messages. Set dashboard.token (a token read from an unset environment variable is no token), or serve the app on loopback only.`,
    vigie: { dashboardPath: '/_vigie', localAddress: address },
  })
}

// A machine without such an address cannot run this test: skipped on a developer's machine,
// failed in CI.
t.test('this machine has an address outside loopback\'s ranges', reachable.length > 0 || inCi() ? {} : { skip: NO_ADDRESS }, async (t) => {
  t.ok(reachable.length > 0, NO_ADDRESS)
})
for (const entry of reachable) {
  t.test(`Fastify, on ${entry.address}`, (t) => check(t, entry, (host) => startApp(t, { host, vigie: { dashboard: { token } } })))
  for (const [name, express] of EXPRESS_VERSIONS) {
    t.test(`${name}, on ${entry.address}`, (t) => check(t, entry, (host) => startExpressApp(t, express, { host, vigie: { dashboard: { token } } })))
  }
}
