import fc from 'fast-check'
import t from 'tap'
import { maskCardNumbers } from '../../lib/scrub/card-numbers.ts'
import { issuedCardNumber, withCheckDigit } from '../helpers/luhn.ts'

t.test('masks Luhn-valid numbers of 13 to 19 digits, keeping the last four and the separators', async (t) => {
  t.equal(maskCardNumbers('card 4111 1111 1111 1111 ok'), 'card **** **** **** 1111 ok')
  t.equal(maskCardNumbers('4111-1111-1111-1111'), '****-****-****-1111')
  t.equal(maskCardNumbers('4111111111111111'), '************1111')
  t.equal(maskCardNumbers('amex 3782 822463 10005.'), 'amex **** ****** *0005.')
  t.equal(maskCardNumbers('visa13 4222222222222'), 'visa13 *********2222')
  const nineteen = withCheckDigit('601111111111111111')
  t.equal(nineteen.length, 19)
  t.equal(maskCardNumbers(`x ${nineteen} y`), `x ${'*'.repeat(15)}${nineteen.slice(-4)} y`)
})

t.test('separators: space, no-break space, dash, dot, slash, and two of them', async (t) => {
  for (const sep of [' ', '\u00a0', '-', '.', '/', '  ', '\u00a0\u00a0', ' /']) {
    const text = ['4111', '1111', '1111', '1111'].join(sep)
    t.equal(maskCardNumbers(`card ${text}.`), `card ${['****', '****', '****', '1111'].join(sep)}.`, JSON.stringify(sep))
  }
})

t.test('an issuer prefix and a length valid for it', async (t) => {
  t.equal(maskCardNumbers('5500000000000004'), '************0004', 'Mastercard')
  t.equal(maskCardNumbers('2221000000000009'), '************0009', 'Mastercard 2-series')
  t.equal(maskCardNumbers('378282246310005'), '***********0005', 'Amex, 15')
  t.equal(maskCardNumbers('36227206271667'), '**********1667', 'Diners, 14')
  t.equal(maskCardNumbers('6011111111111117'), '************1117', 'Discover')
  t.equal(maskCardNumbers('3530111333300000'), '************0000', 'JCB')
})

t.test('letters may touch a card number', async (t) => {
  t.equal(maskCardNumbers('pan=4111111111111111&cvv=123'), 'pan=************1111&cvv=123')
  t.equal(maskCardNumbers('abc4111111111111111xyz'), 'abc************1111xyz')
  t.equal(maskCardNumbers('"4111 1111 1111 1111"'), '"**** **** **** 1111"')
})

t.test('leaves alone what is not a card number', async (t) => {
  t.equal(maskCardNumbers('4111111111111112'), '4111111111111112', 'fails Luhn')
  t.equal(maskCardNumbers('411111111111'), '411111111111', '12 digits')
  t.equal(maskCardNumbers('1'.repeat(40)), '1'.repeat(40), 'one run of 40 digits')
  t.equal(maskCardNumbers(`9${'4111111111111111'}`), '94111111111111111', 'glued to another digit: 17 digits, fails Luhn')
  t.equal(maskCardNumbers('4111   1111 1111 1111'), '4111   1111 1111 1111', 'three spaces split the group')
  t.equal(maskCardNumbers('1796219801696 1700000000008'), '1796219801696 1700000000008', 'epoch-millisecond timestamps, Luhn-valid or not')
  t.equal(maskCardNumbers('imei 490154203237518'), 'imei 490154203237518', 'an IMEI (15 digits, Luhn-valid, no 15-digit Visa)')
  t.equal(maskCardNumbers('0000000000000000'), '0000000000000000', 'no issuer starts with 0')
  t.equal(maskCardNumbers('4111111111111 11'), '4111111111111 11', 'a Visa prefix at 15 digits')
  t.equal(maskCardNumbers('4111_1111_1111_1111'), '4111_1111_1111_1111', 'underscores are not separators')
  t.equal(maskCardNumbers('ids 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15'), 'ids 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15')
  t.equal(maskCardNumbers('v1.2.3 at 2024-01-31 12:00:00'), 'v1.2.3 at 2024-01-31 12:00:00')
  t.equal(maskCardNumbers(''), '')
})

t.test('a separator that is not between two digits is kept outside the group', async (t) => {
  t.equal(maskCardNumbers('-4111-1111-1111-1111-'), '-****-****-****-1111-')
})

t.test('finds a card inside a longer group of separated numbers', async (t) => {
  t.equal(maskCardNumbers('ref 12 4111 1111 1111 1111'), 'ref 12 **** **** **** 1111')
  t.equal(maskCardNumbers('4111 1111 1111 1111 2024'), '**** **** **** 1111 2024')
  t.equal(
    maskCardNumbers('4111 1111 1111 1111 5500 0000 0000 0004'),
    '**** **** **** 1111 **** **** **** 0004',
    'two cards in a row'
  )
})

t.test('adversarial inputs complete (linear scan)', async (t) => {
  const digits = '7'.repeat(1_000_000)
  t.equal(maskCardNumbers(digits), digits)
  const spaced = '1 '.repeat(500_000)
  t.equal(maskCardNumbers(spaced), spaced)
  const chunks = '1234 '.repeat(200_000)
  t.equal(maskCardNumbers(chunks).length, chunks.length)
  const dashes = '12-'.repeat(300_000)
  t.equal(maskCardNumbers(dashes), dashes)
})

const formatted = fc.tuple(issuedCardNumber, fc.constantFrom('', ' ', '-', '.', '/', '\u00a0', '  ')).map(([card, sep]) => {
  return { card, text: sep === '' ? card : card.match(/.{1,4}/g)!.join(sep) }
})
// Text around the card that cannot glue a digit or a separator to it.
const before = fc.string().map((s) => `${s}|`)
const after = fc.string().map((s) => `|${s}`)

t.test('property: a planted card number never survives, and its last four digits do', async (t) => {
  t.doesNotThrow(() => fc.assert(fc.property(before, formatted, after, (head, { card, text }, tail) => {
    const out = maskCardNumbers(`${head}${text}${tail}`)
    const masked = out.slice(head.length, head.length + text.length)
    return !out.includes(text) && masked.replace(/[^0-9]/g, '') === card.slice(-4)
  })))
})

t.test('property: masking keeps the length and every non-digit character', async (t) => {
  t.doesNotThrow(() => fc.assert(fc.property(fc.string({ unit: fc.constantFrom('1', '4', ' ', '-', 'a') }), fc.string(), (digitsAndSeparators, other) => {
    const input = digitsAndSeparators + other
    const out = maskCardNumbers(input)
    if (out.length !== input.length) return false
    for (let i = 0; i < input.length; i++) {
      if (out[i] !== input[i] && !(out[i] === '*' && input[i] >= '0' && input[i] <= '9')) return false
    }
    return true
  })))
})
