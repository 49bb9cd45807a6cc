import t from 'tap'
import { maskPasswordHashes } from '../../lib/scrub/password-hashes.ts'

// Hashes are built from parts: a salt and a hash of the right alphabet and length, no real one.
const bcryptBody = 'aB3./'.repeat(11).slice(0, 53)
const b64 = (n: number): string => 'aB3+/'.repeat(n).slice(0, n)

t.test('each format keeps the prefix that names its algorithm and loses the rest', async (t) => {
  const cases: Array<[string, string]> = [
    [`$2a$12$${bcryptBody}`, '$2a$12$'],
    [`$2b$10$${bcryptBody}`, '$2b$10$'],
    [`$2x$05$${bcryptBody}`, '$2x$05$'],
    [`$2y$10$${bcryptBody}`, '$2y$10$'],
    [`$argon2id$v=19$m=65536,t=3,p=4$${b64(22)}$${b64(43)}`, '$argon2id$'],
    [`$argon2i$v=19$m=4096,t=3,p=1$${b64(16)}$${b64(32)}`, '$argon2i$'],
    [`$argon2d$v=19$m=4096,t=3,p=1$${b64(16)}$${b64(32)}`, '$argon2d$'],
    [`$scrypt$ln=16,r=8,p=1$${b64(22)}$${b64(43)}`, '$scrypt$'],
    [`scrypt$16384$${b64(22)}$8$1$${b64(88)}`, 'scrypt$'],
    [`pbkdf2_sha256$600000$${b64(22)}$${b64(44)}`, 'pbkdf2_sha256$'],
    [`pbkdf2_sha1$260000$${b64(12)}$${b64(28)}`, 'pbkdf2_sha1$'],
    [`$pbkdf2-sha256$29000$${b64(22)}$${b64(43)}`, '$pbkdf2-sha256$'],
    [`$pbkdf2-sha512$25000$${b64(22)}$${b64(86)}`, '$pbkdf2-sha512$'],
    [`$pbkdf2$29000$${b64(22)}$${b64(27)}`, '$pbkdf2$'],
  ]
  for (const [hash, prefix] of cases) {
    t.equal(maskPasswordHashes(hash), `${prefix}[REDACTED]`, prefix)
    t.equal(maskPasswordHashes(`values ('a@b.c', '${hash}') - failed`), `values ('a@b.c', '${prefix}[REDACTED]') - failed`, `${prefix} quoted in SQL`)
  }
})

t.test('a hash ends where its alphabet does: quotes, spaces, commas after bcrypt', async (t) => {
  t.equal(maskPasswordHashes(`{"hash":"$2b$10$${bcryptBody}","id":7}`), '{"hash":"$2b$10$[REDACTED]","id":7}')
  t.equal(maskPasswordHashes(`$2b$10$${bcryptBody}, $2y$10$${bcryptBody} end`), '$2b$10$[REDACTED], $2y$10$[REDACTED] end', 'two in one text')
  t.equal(maskPasswordHashes(`Django's bcrypt_sha256$$2b$12$${bcryptBody}`), 'Django\'s bcrypt_sha256$$2b$12$[REDACTED]', 'bcrypt inside Django\'s wrapper')
})

t.test('look-alikes are left alone', async (t) => {
  const kept = [
    `$2b$10$${bcryptBody.slice(1)}`, // one short
    `$2c$10$${bcryptBody}`, // no such version
    `$2b$1$${bcryptBody}`, // one digit of cost
    'bcrypt hashes start with $2b$ and argon2 ones with $argon2id$',
    '$argon2id$v=19$m=65536,t=3,p=4', // parameters, no salt nor hash
    `$argon2id$${b64(40)}`, // no field separator
    'total: $20 and $30 = $50',
    `xpbkdf2_sha256$600000$${b64(22)}$${b64(44)}`, // inside a word
    `descrypt$16384$${b64(22)}$8$1$${b64(88)}`,
    `my_scrypt$16384$${b64(22)}$8$1$${b64(88)}`,
    'Django\'s default hasher writes pbkdf2_sha256$ then the iterations',
  ]
  for (const text of kept) t.equal(maskPasswordHashes(text), text, text)
})

t.test('adversarial inputs complete (linear scan)', async (t) => {
  const prefixes = '$2b$10$'.repeat(200_000)
  t.equal(maskPasswordHashes(prefixes), prefixes, 'many prefixes, each body empty')
  const short = `$2b$10$${'a'.repeat(52)} `.repeat(20_000)
  t.equal(maskPasswordHashes(short), short, 'many bodies one short')
  const noSeparator = `$argon2id$${'a'.repeat(1_000_000)}`
  t.equal(maskPasswordHashes(noSeparator), noSeparator, 'a long body without a $ is scanned once')
  const words = `$scrypt$${',scrypt'.repeat(200_000)}`
  t.equal(maskPasswordHashes(words), words, 'prefixes inside a failed body')
})
