import t from 'tap'
import { SeriesCache } from '../../lib/metrics/series-cache.ts'

t.test('values are found by controller, method and status, each part apart', async (t) => {
  const cache = new SeriesCache<string>(10)
  t.equal(cache.set('/a', 'GET', 200, 'a-get-200'), 'a-get-200', 'set returns the value')
  cache.set('/a', 'GET', 404, 'a-get-404')
  cache.set('/a', 'POST', 200, 'a-post-200')
  t.equal(cache.get('/a', 'GET', 200), 'a-get-200')
  t.equal(cache.get('/a', 'GET', 404), 'a-get-404')
  t.equal(cache.get('/a', 'POST', 200), 'a-post-200')
  t.equal(cache.get('/a', 'POST', 404), undefined)
  t.equal(cache.get('/b', 'GET', 200), undefined)
})

t.test('the cache starts over once it holds max entries; replacing one does not count twice', async (t) => {
  const cache = new SeriesCache<number>(3)
  cache.set('/a', 'GET', 200, 1)
  cache.set('/a', 'GET', 200, 2)
  cache.set('/b', 'GET', 200, 3)
  cache.set('/c', 'GET', 200, 4)
  t.equal(cache.get('/a', 'GET', 200), 2, 'three entries: all kept')
  cache.set('/d', 'GET', 200, 5)
  t.equal(cache.get('/a', 'GET', 200), undefined, 'the fourth started over')
  t.equal(cache.get('/d', 'GET', 200), 5)
})

t.test('the entry found last is remembered per controller, and replaced with its value', async (t) => {
  const cache = new SeriesCache<string>(10)
  cache.set('/a', 'GET', 200, 'first')
  cache.set('/a', 'GET', 500, 'error')
  t.equal(cache.get('/a', 'GET', 200), 'first')
  t.equal(cache.get('/a', 'GET', 200), 'first', 'again, from the remembered entry')
  cache.set('/a', 'GET', 200, 'second')
  t.equal(cache.get('/a', 'GET', 200), 'second', 'a replaced value is not read stale')
  t.equal(cache.get('/a', 'GET', 500), 'error')
  t.equal(cache.get('/a', 'HEAD', 200), undefined, 'same status, another method')
  t.equal(cache.get('/a', 'GET', 200), 'second')
})
