import t from 'tap'
import { isLoopbackAddress } from '../../lib/dashboard/loopback-address.ts'

t.test('loopback: 127.0.0.0/8, ::1 and 127.0.0.0/8 mapped into IPv6', async (t) => {
  for (const address of ['127.0.0.1', '127.255.255.254', '::1', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::FFFF:127.1.2.3']) {
    t.ok(isLoopbackAddress(address), address)
  }
})

t.test('reachable from other machines: anything else', async (t) => {
  for (const address of ['192.0.2.2', '10.0.0.1', '0.0.0.0', '128.0.0.1', '1.127.0.0', 'fd00::2', 'fe80::1', '::', '::ffff:10.0.0.1', '::127.0.0.1']) {
    t.notOk(isLoopbackAddress(address), address)
  }
})
