import fc from 'fast-check'

/** `body` followed by the Luhn check digit that makes it a valid card number. */
export function withCheckDigit (body: string): string {
  let sum = 0
  for (let i = body.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = Number(body[i])
    if (double) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return body + String((10 - (sum % 10)) % 10)
}

/** Issuer prefixes and the lengths a network issues under each (card-numbers.ts's rule). */
const ISSUED: ReadonlyArray<readonly [string, readonly number[]]> = [
  ['4', [13, 16, 19]], ['34', [15]], ['37', [15]], ['51', [16]], ['55', [16]], ['2221', [16]], ['2720', [16]],
  ['2200', [16, 19]], ['3528', [16]], ['3589', [19]], ['36', [14]], ['300', [14, 16]], ['50', [13, 19]],
  ['6011', [16, 19]], ['62', [16, 17]], ['65', [16]], ['81', [16]],
]

/** A Luhn-valid number some card network issues: a prefix, digits, a check digit. */
export const issuedCardNumber = fc.constantFrom(...ISSUED)
  .chain(([prefix, lengths]) => fc.tuple(fc.constant(prefix), fc.constantFrom(...lengths)))
  .chain(([prefix, length]) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length - 1 - prefix.length, maxLength: length - 1 - prefix.length })
    .map((digits) => withCheckDigit(prefix + digits.join(''))))
