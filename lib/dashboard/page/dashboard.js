// The vigie dashboard page: polls data.json every 2 s and draws it with uPlot.
// Every name and message from the app is written with textContent (never as HTML), so a route
// name or an exception message cannot add markup or run script. The page's Content-Security-Policy
// allows no inline script either.
(function dashboard () {
  'use strict'

  const POLL_MS = 2000
  const CLASSES = ['2xx', '3xx', '4xx', '5xx']
  const GAUGES = [
    ['process.heap_used', 'Heap used', 'bytes'],
    ['process.rss', 'RSS', 'bytes'],
    ['process.cpu_percent', 'CPU', 'percent'],
    ['process.event_loop_delay.p50', 'Event-loop delay p50', 'ms'],
    ['process.event_loop_delay.p99', 'Event-loop delay p99', 'ms'],
    ['process.gc_pause', 'GC pause (last interval)', 'ms'],
    ['process.active_handles', 'Active handles', 'count'],
    ['process.disk_free', 'Free disk (working dir)', 'bytes'],
  ]

  const script = document.currentScript
  const dataUrl = new URL('../data.json', script.src)
  const token = new URLSearchParams(window.location.search).get('token')
  const css = window.getComputedStyle(document.documentElement)
  const color = (name) => css.getPropertyValue(name).trim()
  const $ = (id) => document.getElementById(id)
  const charts = {}
  let updates = 0

  function text (tag, content, className) {
    const element = document.createElement(tag)
    element.textContent = content
    if (className) element.className = className
    return element
  }

  function row (cells) {
    const tr = document.createElement('tr')
    for (const [content, className] of cells) tr.appendChild(text('td', content, className))
    return tr
  }

  function emptyRow (columns, message) {
    const td = text('td', message, 'empty')
    td.colSpan = columns
    const tr = document.createElement('tr')
    tr.appendChild(td)
    return tr
  }

  function formatNumber (value, digits) {
    if (value === null || value === undefined || !Number.isFinite(value)) return '–'
    return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })
  }

  function formatBytes (value) {
    if (value === null || value === undefined || !Number.isFinite(value)) return '–'
    const units = ['B', 'KB', 'MB', 'GB', 'TB']
    let unit = 0
    while (Math.abs(value) >= 1024 && unit < units.length - 1) {
      value /= 1024
      unit++
    }
    return `${formatNumber(value, unit === 0 ? 0 : 1)} ${units[unit]}`
  }

  function formatGauge (value, unit) {
    if (unit === 'bytes') return formatBytes(value)
    if (unit === 'ms') return `${formatNumber(value, 2)} ms`
    if (unit === 'percent') return `${formatNumber(value, 1)} %`
    return formatNumber(value, 0)
  }

  function percent (part, whole) {
    return whole > 0 ? `${formatNumber((100 * part) / whole, 1)} %` : '–'
  }

  const pad = (n) => String(n).padStart(2, '0')

  /** Local time, 24 h: `14:05`, or `14:05:30` off the minute. */
  function timeLabels (_u, splits) {
    return splits.map((seconds) => {
      const date = new Date(seconds * 1000)
      const hm = `${pad(date.getHours())}:${pad(date.getMinutes())}`
      return date.getSeconds() === 0 ? hm : `${hm}:${pad(date.getSeconds())}`
    })
  }

  function chartWidth (element) {
    return Math.max(200, element.clientWidth)
  }

  /** Creates the chart on first use, then only replaces its data. */
  function draw (id, height, series, data, yLabel) {
    const element = $(id)
    if (charts[id] === undefined) {
      charts[id] = new window.uPlot({
        width: chartWidth(element),
        height,
        scales: { x: { time: true } },
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: s.width ?? 1.5, fill: s.fill, spanGaps: s.spanGaps ?? false, points: { show: s.points === true, size: 5, fill: s.stroke } }))],
        axes: [
          { stroke: color('--muted'), grid: { stroke: color('--line') }, ticks: { stroke: color('--line') }, space: 70, values: timeLabels },
          { stroke: color('--muted'), grid: { stroke: color('--line') }, ticks: { stroke: color('--line') }, size: 56, space: height < 200 ? 18 : 30, label: yLabel, labelSize: yLabel ? 18 : 0 },
        ],
      }, data, element)
    } else {
      charts[id].setData(data)
    }
  }

  function resize () {
    for (const [id, chart] of Object.entries(charts)) {
      chart.setSize({ width: chartWidth($(id)), height: chart.height })
    }
  }

  function showRequests (data) {
    const timeline = data.timeline
    const rates = timeline.requestsPerSecond
    draw('chart-requests', 220, [
      { label: 'all', stroke: color('--text'), width: 2, fill: 'rgba(29, 36, 48, 0.06)' },
      { label: '2xx', stroke: color('--c2xx') },
      { label: '3xx', stroke: color('--c3xx') },
      { label: '4xx', stroke: color('--c4xx') },
      { label: '5xx', stroke: color('--c5xx'), width: 2 },
    ], [timeline.time, rates.total, rates['2xx'], rates['3xx'], rates['4xx'], rates['5xx']], 'req/s')

    const latency = timeline.responseTimeMs
    draw('chart-latency', 220, [
      // Points too: a bucket between two empty ones would otherwise draw nothing.
      { label: 'p50', stroke: color('--c3xx'), width: 2, points: true },
      { label: 'p90', stroke: color('--c4xx'), points: true },
      { label: 'p99', stroke: color('--c5xx'), points: true },
    ], [timeline.time, latency.p50, latency.p90, latency.p99], 'ms')
  }

  function showStatusClasses (data) {
    const { total, counts } = data.statusClasses
    $('total-requests').textContent = `${formatNumber(total, 0)} requests`
    const bar = $('share-bar')
    bar.replaceChildren()
    const rows = []
    for (const name of CLASSES) {
      const count = counts[name] ?? 0
      if (total > 0 && count > 0) {
        const part = document.createElement('span')
        part.className = `c${name}`
        part.style.width = `${(100 * count) / total}%`
        part.title = `${name}: ${percent(count, total)}`
        bar.appendChild(part)
      }
      const tr = document.createElement('tr')
      const label = document.createElement('td')
      label.appendChild(text('span', '', `swatch c${name}`))
      label.appendChild(document.createTextNode(name))
      tr.appendChild(label)
      tr.appendChild(text('td', formatNumber(count, 0), 'num'))
      tr.appendChild(text('td', percent(count, total), 'num'))
      rows.push(tr)
    }
    $('share-rows').replaceChildren(...rows)
  }

  function showControllers (data) {
    const { busiest, failing } = data.controllers
    $('busiest-rows').replaceChildren(...(busiest.length === 0
      ? [emptyRow(5, 'No requests yet')]
      : busiest.map((c) => row([
        [c.controller, 'name'],
        [formatNumber(c.requests, 0), 'num'],
        [formatNumber(c.perSecond, 2), 'num'],
        [formatNumber(c.clientErrors, 0), 'num'],
        [formatNumber(c.serverErrors, 0), 'num'],
      ]))))
    $('failing-rows').replaceChildren(...(failing.length === 0
      ? [emptyRow(4, 'No 5xx answers')]
      : failing.map((c) => row([
        [c.controller, 'name'],
        [formatNumber(c.serverErrors, 0), 'num'],
        [formatNumber(c.requests, 0), 'num'],
        [percent(c.serverErrors, c.requests), 'num'],
      ]))))
  }

  function showExceptions (data) {
    const rows = data.exceptions.map((e) => row([
      [new Date(e.at).toLocaleTimeString('en-GB'), 'mono'],
      [e.correlationId, 'mono'],
      [e.method, ''],
      [e.controller, 'name'],
      [String(e.status), 'num'],
      [e.name, 'error-name'],
      [e.message, 'message'],
    ]))
    $('exception-rows').replaceChildren(...(rows.length === 0 ? [emptyRow(7, 'No exceptions captured')] : rows))
  }

  function showProcess (data) {
    const latest = data.process.latest
    const list = $('gauges')
    const items = []
    const known = new Set()
    for (const [name, label, unit] of GAUGES) {
      known.add(name)
      if (!(name in latest)) continue
      items.push(text('dt', label), text('dd', formatGauge(latest[name], unit)))
    }
    for (const [name, value] of Object.entries(latest)) {
      if (!known.has(name)) items.push(text('dt', name), text('dd', formatGauge(value, 'count')))
    }
    if (items.length === 0) items.push(text('dt', 'No process gauges yet (sent every few seconds)'), text('dd', ''))
    list.replaceChildren(...items)

    const timeline = data.process.timeline
    const mb = (values) => values.map((v) => (v === null ? null : v / (1024 * 1024)))
    draw('chart-memory', 130, [
      { label: 'heap', stroke: color('--c3xx'), spanGaps: true, points: true },
      { label: 'RSS', stroke: color('--c2xx'), spanGaps: true, points: true },
    ], [timeline.time, mb(timeline.heapUsedBytes), mb(timeline.rssBytes)])
    draw('chart-event-loop', 130, [
      { label: 'p99', stroke: color('--c4xx'), spanGaps: true, points: true },
    ], [timeline.time, timeline.eventLoopDelayP99Ms])
  }

  function showFooter (data) {
    const parts = [`${data.series.count} series (cap ${data.series.maxSeries})`]
    if (data.series.evictedSeries > 0) parts.push(`${data.series.evictedSeries} series evicted at the cap`)
    const lost = data.metricsDropped
    if (lost !== null && lost.dns + lost.socket + lost.queue_full > 0) {
      parts.push(`${lost.dns + lost.socket + lost.queue_full} StatsD lines dropped (DNS ${lost.dns}, socket ${lost.socket}, queue full ${lost.queue_full})`)
    }
    parts.push(`polled every ${POLL_MS / 1000} s`)
    $('footer').textContent = parts.join(' · ')
  }

  function setStatus (message, isError) {
    const status = $('status')
    status.textContent = message
    status.className = isError ? 'status error' : 'status'
  }

  function render (data) {
    const notice = $('notice')
    notice.hidden = data.aggregation
    if (!data.aggregation) notice.textContent = 'Aggregation is off (option "aggregation": false): only the latest exceptions are shown.'
    if (data.aggregation) {
      showRequests(data)
      showStatusClasses(data)
      showControllers(data)
      showProcess(data)
      showFooter(data)
    }
    showExceptions(data)
    updates++
    document.body.dataset.updates = String(updates)
    setStatus(`live · updated ${new Date(data.at).toLocaleTimeString('en-GB')}`, false)
  }

  async function poll () {
    try {
      const headers = token ? { authorization: `Bearer ${token}` } : {}
      const response = await fetch(dataUrl, { headers, cache: 'no-store', credentials: 'same-origin' })
      if (response.status === 401) {
        setStatus('401: this dashboard needs its token (open the page with ?token=…)', true)
      } else if (!response.ok) {
        setStatus(`data request failed: HTTP ${response.status}`, true)
      } else {
        render(await response.json())
      }
    } catch (err) {
      setStatus(`data request failed: ${err && err.message ? err.message : String(err)}`, true)
    }
    window.setTimeout(poll, POLL_MS)
  }

  window.addEventListener('resize', resize)
  poll()
})()
