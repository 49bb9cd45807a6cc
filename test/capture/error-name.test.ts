import t from 'tap'
import { errorName } from '../../lib/capture/error-name.js'

t.test('the name of errors and error-likes', async (t) => {
  t.equal(errorName(new TypeError('x')), 'TypeError')
  const unnamed = new Error('x')
  unnamed.name = ''
  t.equal(errorName(unnamed), 'Error')
  t.equal(errorName({ name: 'PaymentError' }), 'PaymentError')
  t.equal(errorName({ name: 42 }), 'NonError')
  t.equal(errorName('a string'), 'NonError')
  t.equal(errorName(null), 'NonError')
})

t.test('a name built from request data is scrubbed and cut', async (t) => {
  const err = new Error('x')
  err.name = 'InvalidToken sk_live_' + 'aB3'.repeat(10)
  t.equal(errorName(err), 'InvalidToken sk_live_[REDACTED]')
  err.name = `Bad card 4111 1111 1111 1111 ${'y'.repeat(500)}`
  const name = errorName(err)
  t.ok(name.startsWith('Bad card **** **** **** 1111'), name.slice(0, 40))
  t.ok(name.length <= 100, `${name.length} characters`)
})
