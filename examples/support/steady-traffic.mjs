// Steady, varied traffic against the shop app, for `npm run demo -- --serve` and the dashboard
// screenshot: mostly product pages, some unknown products and routes (404), now and then an
// order list (N+1 queries), a slow sales report, and a checkout that fails (500, with its own
// correlation ID). The rate swings slowly around
// `requestsPerSecond` so that the charts have something to show. Deterministic: a seeded
// generator picks the requests.

const TICK_MS = 100
const SWING_PERIOD_MS = 60_000

/**
 * @param {string} base e.g. `http://127.0.0.1:3000`
 * @param {{ requestsPerSecond?: number, seed?: number }} [options]
 * @returns {{ counts: Record<string, number>, stop(): Promise<void> }} counts by status; stop() waits for requests in flight
 */
export function startSteadyTraffic (base, { requestsPerSecond = 20, seed = 42 } = {}) {
  const random = seededRandom(seed)
  const counts = {}
  const inFlight = new Set()
  const startedAt = Date.now()
  let owed = 0
  let checkouts = 0

  const send = (path, init) => {
    const request = fetch(base + path, init)
      .then(async (res) => {
        await res.arrayBuffer()
        counts[res.status] = (counts[res.status] ?? 0) + 1
      })
      .catch(() => {
        counts.failed = (counts.failed ?? 0) + 1
      })
      .finally(() => inFlight.delete(request))
    inFlight.add(request)
  }

  const one = () => {
    const pick = random()
    if (pick < 0.62) send(`/products/${1 + Math.floor(random() * 3)}`)
    else if (pick < 0.75) send('/products')
    else if (pick < 0.87) send(`/products/${900 + Math.floor(random() * 50)}`)
    else if (pick < 0.94) send(`/${['nope', 'admin', 'wp-login.php'][Math.floor(random() * 3)]}`)
    else if (pick < 0.985) send('/health')
    else if (pick < 0.992) send('/orders') // one query per order: vigie's N+1 line
    else if (pick < 0.995) send('/reports/sales') // a slow query (0.6 s)
    else {
      checkouts++
      send('/checkout', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-request-id': `demo-checkout-${String(checkouts).padStart(4, '0')}`,
          'x-user': `u-${1 + Math.floor(random() * 90)}`,
        },
        body: JSON.stringify({ email: 'a@b.c', password: 'hunter2', card: '4111 1111 1111 1111' }),
      })
    }
  }

  const timer = setInterval(() => {
    const phase = ((Date.now() - startedAt) % SWING_PERIOD_MS) / SWING_PERIOD_MS
    const rate = requestsPerSecond * (1 + 0.45 * Math.sin(2 * Math.PI * phase))
    owed += (rate * TICK_MS) / 1000
    for (; owed >= 1; owed--) one()
  }, TICK_MS)

  return {
    counts,
    async stop () {
      clearInterval(timer)
      await Promise.allSettled([...inFlight])
    },
  }
}

// mulberry32: a small, well-known seeded generator.
function seededRandom (seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
