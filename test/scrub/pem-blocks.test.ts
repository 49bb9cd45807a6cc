import t from 'tap'
import { maskPemBlocks } from '../../lib/scrub/pem-blocks.ts'

const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7'

t.test('a private key block keeps its BEGIN and END lines and loses its body', async (t) => {
  for (const label of ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']) {
    const block = `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`
    t.equal(maskPemBlocks(`key: ${block}\nnext`), `key: -----BEGIN ${label}-----[REDACTED]-----END ${label}-----\nnext`, label)
  }
})

t.test('escaped newlines (a key inside JSON text) and two blocks', async (t) => {
  const block = `-----BEGIN PRIVATE KEY-----\\n${body.replace('\n', '\\n')}\\n-----END PRIVATE KEY-----`
  t.equal(maskPemBlocks(`{"a":"${block}","b":"${block}"}`),
    '{"a":"-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----","b":"-----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----"}')
})

t.test('a block cut before its END line is masked to the end', async (t) => {
  t.equal(maskPemBlocks(`-----BEGIN RSA PRIVATE KEY-----\n${body}`), '-----BEGIN RSA PRIVATE KEY-----[REDACTED]')
})

t.test('certificates and public keys are kept', async (t) => {
  for (const label of ['CERTIFICATE', 'PUBLIC KEY']) {
    const block = `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----`
    t.equal(maskPemBlocks(block), block, label)
  }
  t.equal(maskPemBlocks('-----BEGIN nothing'), '-----BEGIN nothing')
})

t.test('adversarial inputs complete (linear scan)', async (t) => {
  const begins = '-----BEGIN CERTIFICATE-----'.repeat(100_000)
  t.equal(maskPemBlocks(begins), begins)
  const unclosed = '-----BEGIN '.repeat(100_000)
  t.equal(maskPemBlocks(unclosed), unclosed)
})
