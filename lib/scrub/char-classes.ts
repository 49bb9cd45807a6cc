// ASCII character classes tested on UTF-16 code units, for the linear scanners in this folder.

export function isAlphanumeric (c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
}

export function isUpper (c: number): boolean {
  return c >= 65 && c <= 90
}

export function isLowerOrDigit (c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57)
}

export function isDigit (c: number): boolean {
  return c >= 48 && c <= 57
}
