// Realistic request bodies for the micro-benchmarks: what apps post and what exception lines carry.

export const luhnCard = '4111 1111 1111 1111'
export const checkout = {
  orderId: 'ord_8f2b1c9e',
  currency: 'EUR',
  customer: { id: 'cus_1029', email: 'ana@example.com', phone: '+33 6 12 34 56 78' },
  shipping: { name: 'Ana Lima', line1: '12 rue des Lilas', city: 'Lyon', zip: '69003', country: 'FR', instructions: 'Leave at the door' },
  items: Array.from({ length: 6 }, (_, i) => ({ sku: `SKU-${1000 + i}`, name: `Item ${i}`, qty: 1 + (i % 3), unitPrice: 9.99 + i, options: { size: 'M', colour: 'blue' } })),
  payment: { method: 'card', card: { number: luhnCard, expiry: '12/29', cvc: '123', holder: 'ANA LIMA' }, billingSameAsShipping: true },
  coupon: 'WELCOME10',
  notes: 'Please call 4111111111111111 if there is an issue',
  total: 84.5,
}
export const profile = {
  id: 42,
  username: 'ana',
  displayName: 'Ana Lima',
  email: 'ana@example.com',
  locale: 'fr-FR',
  roles: ['user', 'beta'],
  accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXZhbHVl',
  refreshToken: 'rt_7d9f0a1b2c3d4e5f',
  password: 'hunter2',
  apiKey: 'sk_live_abcdef0123456789',
  bio: 'I call the API with Authorization: Bearer abc.def.ghi from my scripts',
  preferences: { newsletter: true, theme: 'dark', notifications: { email: true, sms: false, push: true } },
  addresses: [{ type: 'home', city: 'Lyon', zip: '69003' }, { type: 'work', city: 'Paris', zip: '75002' }],
}
export const list = {
  page: 1,
  pageSize: 50,
  total: 1234,
  items: Array.from({ length: 50 }, (_, i) => ({ id: 1000 + i, name: `Product ${i}`, price: 10 + i / 4, tags: ['a', 'b'], inStock: i % 2 === 0, updatedAt: '2025-11-24T19:56:00.000Z' })),
}
export const lorem = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. '
export const big = {
  ticket: { id: 'T-99812', subject: 'Refund for order ord_8f2b1c9e', status: 'open', priority: 'high' },
  messages: Array.from({ length: 12 }, (_, i) => ({ from: i % 2 ? 'agent' : 'customer', at: `2025-11-2${i % 9}T10:00:00Z`, body: lorem.repeat(4) + (i === 3 ? ` my card is ${luhnCard}` : '') })),
  meta: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36', session: 'sess_0a1b2c3d' },
}
