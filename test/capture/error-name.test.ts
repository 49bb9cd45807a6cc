import t from 'tap'
import { errorName } from '../../lib/capture/error-name.ts'

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

t.test('a secret across the cut is masked before the name is cut', async (t) => {
  const err = new Error('x')
  const body = 'aB3'.repeat(12)
  err.name = `${'E'.repeat(80)} ghp_${body}`
  t.equal(errorName(err), `${'E'.repeat(80)} ghp_[REDACTED]`.slice(0, 100))
  err.name = `${'E'.repeat(85)} 4111 1111 1111 1111`
  t.equal(errorName(err), `${'E'.repeat(85)} **** **** ****`)
  err.name = `${'E'.repeat(10_000)} ghp_${body}`
  t.equal(errorName(err), 'E'.repeat(100), 'a very long name is scrubbed on its start only')
})
