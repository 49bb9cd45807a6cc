import t from 'tap'
import { holdsCorrelationKey } from '../../lib/logging/log-injection.ts'

t.test('a logger\'s bindings hold the correlationId key exactly when they contain "correlationId":', async (t) => {
  const request = ',"req":{"id":1,"method":"GET","url":"/users/1?q=\\"x\\"","headers":{"host":"127.0.0.1:3000","connection":"keep-alive","x-userId":"7"},"remoteAddress":"127.0.0.1"}'
  const texts = [
    '',
    '"correlationId":',
    ',"correlationId":"abc"',
    ',"pid":1,"hostname":"h"' + request,
    ',"pid":1,"hostname":"h"' + request + ',"correlationId":"abc"',
    ',"userId":"7","requestId":"r","correlationId":"abc"',
    ',"userId":"7","requestId":"r"',
    'Id":',
    'correlationId":',
    '"correlationId"',
    '"correlationId" :',
    'x"correlationId":',
    '"xcorrelationId":',
    ',"req":{"query":{"correlationId":"nested"}}',
    '"correlationIdId":',
    'Id":"correlationId":',
  ]
  for (const text of texts) t.equal(holdsCorrelationKey(text), text.includes('"correlationId":'), JSON.stringify(text))
})
