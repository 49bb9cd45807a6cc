import { execFileSync } from 'node:child_process'
import t from 'tap'
import { buildCurlCommand } from '../../lib/capture/curl-command.ts'

t.test('headers and body are quoted for the shell; hop-by-hop headers are left out', async (t) => {
  const cmd = buildCurlCommand('POST', 'http://h/x?token=[REDACTED]', { host: 'h', 'content-length': '9', 'content-type': 'application/json', 'x-note': "it's" }, { a: "o'k" })
  t.equal(cmd, 'curl --globoff -X POST \'http://h/x?token=[REDACTED]\' -H \'content-type: application/json\' -H \'x-note: it\'\\\'\'s\' --data-raw \'{"a":"o\'\\\'\'k"}\'')
})

t.test('a POSIX shell reads the command back as the intended arguments', async (t) => {
  const cmd = buildCurlCommand('PUT', "http://h/a'b", { 'x-list': ['one', "t'wo"] }, "raw 'text' $HOME `id`")
  const args = execFileSync('sh', ['-c', `printf '%s\\n' ${cmd.slice('curl '.length)}`], { encoding: 'utf8' }).trimEnd().split('\n')
  t.same(args, ['--globoff', '-X', 'PUT', "http://h/a'b", '-H', 'x-list: one', '-H', "x-list: t'wo", '--data-raw', "raw 'text' $HOME `id`"])
})

t.test('a form is replayed as a form, nested keys in brackets, in the request\'s own encoding', async (t) => {
  const cmd = buildCurlCommand('POST', 'http://h/login', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    { user: 'ann & co', password: '[REDACTED]', address: { city: 'Lyon' }, tags: ['a', 'b=c'], empty: null })
  t.equal(cmd, "curl --globoff -X POST 'http://h/login' -H 'content-type: application/x-www-form-urlencoded; charset=utf-8' " +
    "--data-raw 'user=ann%20%26%20co&password=%5BREDACTED%5D&address[city]=Lyon&tags[0]=a&tags[1]=b%3Dc&empty='")
  const form = cmd.slice(cmd.indexOf("--data-raw '") + 12, -1)
  const parsed = new URLSearchParams(form)
  t.equal(parsed.get('user'), 'ann & co', 'the form reads back')
  t.equal(parsed.get('tags[1]'), 'b=c')
})

t.test('a form already kept as text is sent as it is; JSON types stay JSON', async (t) => {
  t.match(buildCurlCommand('POST', 'http://h/', { 'content-type': 'application/x-www-form-urlencoded' }, 'a=1&b=2'), /--data-raw 'a=1&b=2'$/)
  t.match(buildCurlCommand('POST', 'http://h/', { 'content-type': 'application/json' }, { a: 1 }), /--data-raw '\{"a":1\}'$/)
})
