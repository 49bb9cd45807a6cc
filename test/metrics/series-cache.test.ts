import t from 'tap'
import { SeriesCache } from '../../lib/metrics/series-cache.js'

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
