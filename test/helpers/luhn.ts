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
