import t from 'tap'
import { DashboardAuth } from '../../lib/dashboard/dashboard-auth.ts'

const none = new URLSearchParams()

t.test('without a token every request is allowed', async (t) => {
  const auth = new DashboardAuth(undefined)
  t.equal(auth.required, false)
  t.ok(auth.allows(undefined, none))
})

t.test('with a token: the Bearer header or the token query parameter', async (t) => {
  const auth = new DashboardAuth('s3cret-token')
  t.equal(auth.required, true)
  t.ok(auth.allows('Bearer s3cret-token', none))
  t.ok(auth.allows('bearer   s3cret-token ', none), 'scheme is case-insensitive, spaces tolerated')
  t.ok(auth.allows(undefined, new URLSearchParams('token=s3cret-token')))
  t.ok(auth.allows(undefined, new URLSearchParams('a=1&token=s3cret%2Dtoken')), 'percent-encoded')
})

t.test('refused: missing, wrong, longer, shorter, empty, other schemes', async (t) => {
  const auth = new DashboardAuth('s3cret-token')
  t.notOk(auth.allows(undefined, none))
  t.notOk(auth.allows('Bearer wrong', none))
  t.notOk(auth.allows('Bearer s3cret-token-and-more', none))
  t.notOk(auth.allows('Bearer s3cret', none))
  t.notOk(auth.allows(undefined, new URLSearchParams('token=')))
  t.notOk(auth.allows('Basic czNjcmV0LXRva2Vu', none))
  t.notOk(auth.allows('Bearer', none))
  t.notOk(auth.allows(['Bearer s3cret-token'], none), 'a repeated header is not trusted')
  t.notOk(auth.allows('Bearer wrong', new URLSearchParams('token=s3cret-token')), 'the header, when present, is the one checked')
})
