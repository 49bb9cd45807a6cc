import { execFileSync } from 'node:child_process'
import t from 'tap'
import { buildCurlCommand } from '../../lib/capture/curl-command.js'

t.test('headers and body are quoted for the shell; hop-by-hop headers are left out', async (t) => {
  const cmd = buildCurlCommand('POST', 'http://h/x?token=[REDACTED]', { host: 'h', 'content-length': '9', 'content-type': 'application/json', 'x-note': "it's" }, { a: "o'k" })
  t.equal(cmd, `curl --globoff -X POST 'http://h/x?token=[REDACTED]' -H 'content-type: application/json' -H 'x-note: it'\\''s' --data-raw '{"a":"o'\\''k"}'`)
})

t.test('a POSIX shell reads the command back as the intended arguments', async (t) => {
  const cmd = buildCurlCommand('PUT', "http://h/a'b", { 'x-list': ['one', "t'wo"] }, "raw 'text' $HOME `id`")
  const args = execFileSync('sh', ['-c', `printf '%s\\n' ${cmd.slice('curl '.length)}`], { encoding: 'utf8' }).trimEnd().split('\n')
  t.same(args, ['--globoff', '-X', 'PUT', "http://h/a'b", '-H', 'x-list: one', '-H', "x-list: t'wo", '--data-raw', "raw 'text' $HOME `id`"])
})
