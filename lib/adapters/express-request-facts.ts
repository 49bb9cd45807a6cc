import type { Request } from 'express'
import type { RequestDetails } from '../core/framework-facts.ts'
import { isExpress4App } from './express-internals.ts'
import type { ExpressRequestState } from './express-request-state.ts'

/** What an exception line needs from an Express request, read when its response ends. */
export function requestDetails (req: Request, state: ExpressRequestState): RequestDetails {
  return {
    protocol: readGetter(() => req.protocol) ?? 'http',
    host: readGetter(() => hostOf(req)),
    // req.url has the mount paths cut off; originalUrl is the path and query as received.
    url: req.originalUrl ?? req.url,
    route: state.controller,
    headers: req.headers,
    // Express 5 parses the query string on each read of req.query; it is read once, here.
    query: readGetter(() => req.query),
    params: req.params,
    body: req.body,
    remoteAddress: readGetter(() => req.ip),
  }
}

/**
 * The host with its port, honouring `trust proxy` as Express does. Express 5's `req.host` is
 * that. Express 4's `req.host` is deprecated (reading it prints a warning) and drops the port:
 * there `req.hostname` is read, and the port kept when the name came from the Host header.
 */
function hostOf (req: Request): string | undefined {
  if (!isExpress4App(req.app)) return req.host
  const hostname = req.hostname
  const header = req.headers.host
  if (hostname && header !== undefined && (header === hostname || header.startsWith(`${hostname}:`))) return header
  return hostname || undefined
}

/**
 * Express computes these on read, with the app's own settings (`query parser`, `trust proxy`
 * functions) that may throw: the line is then written without that field.
 */
function readGetter<T> (read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}
