import t from 'tap'
import { userFromRequest } from '../../lib/capture/request-user.ts'
import { ERROR_CODES } from '../../lib/index.ts'
import { resolveOptions } from '../../lib/options/resolve-options.ts'

t.test('the default reader keeps id, username and email of request.user, when they are strings or numbers', async (t) => {
  const user = { id: 7, username: 'ada', email: 'ada@example.com', passwordHash: '$2b$10$abc', token: 'tok', roles: ['admin'] }
  t.same(userFromRequest({ user }), { id: 7, username: 'ada', email: 'ada@example.com' })
  t.same(userFromRequest({ user: { id: 'u-1', email: { address: 'x' }, username: null } }), { id: 'u-1' }, 'only strings and numbers')
  t.same(userFromRequest({ user: { id: Number.NaN, username: 'bob' } }), { username: 'bob' }, 'only finite numbers')
  class Model {
    readonly #row = { id: 3, email: 'm@example.com', password: 'x' }
    get id (): number { return this.#row.id }
    get email (): string { return this.#row.email }
  }
  t.same(userFromRequest({ user: new Model() }), { id: 3, email: 'm@example.com' }, 'getters on the prototype are read, as the app reads them')
})

t.test('the default reader finds no user: none, null, not an object, nothing kept', async (t) => {
  for (const request of [undefined, null, 'req', {}, { user: null }, { user: 'ada' }, { user: 7 }, { user: { sub: 'x', name: 'Ada' } }]) {
    t.equal(userFromRequest(request), undefined, JSON.stringify(request) ?? 'undefined')
  }
})

t.test('a getter that throws throws: the caller reports it', async (t) => {
  t.throws(() => userFromRequest({ user: { get id () { throw new Error('detached') } } }), /detached/)
  t.throws(() => userFromRequest({ get user () { throw new Error('no session') } }), /no session/)
})

t.test('getUser resolves to the default reader, the given function, or null for false', async (t) => {
  t.equal(resolveOptions({}, {}).getUser, userFromRequest)
  const mine = (): string => 'me'
  t.equal(resolveOptions({ getUser: mine }, {}).getUser, mine)
  t.equal(resolveOptions({ getUser: false }, {}).getUser, null)
  for (const getUser of [true, 'user', null, {}]) {
    t.throws(() => resolveOptions({ getUser } as never, {}), { code: ERROR_CODES.INVALID_OPTION, option: 'getUser', message: /^vigie: option "getUser" must be a function or false; received / })
  }
})
