import { observability } from './adapters/fastify.js'

export { observability, genReqId, type FastifyVigieOptions } from './adapters/fastify.js'
export { correlationId } from './context/request-context.js'
export { patchAll, type Unpatch, type PatchAllOptions } from './instrument/patch-all.js'
export { expressObservability, expressErrorHandler, instrumentExpress, type ExpressObservability, type ExpressVigieOptions, type ExpressVigieLogger } from './adapters/express.js'
export { isValidCorrelationId } from './context/correlation-id.js'
export { loggerOptions } from './logging/logger-options.js'
export { scrub, buildScrubber, type Scrubber } from './scrub/scrubber.js'
export { REDACTED } from './scrub/sensitive-keys.js'
export { ERROR_CODES, VigieError, type VigieErrorCode } from './errors.js'
export { METRIC_NAMES, NOT_FOUND_CONTROLLER, OVERFLOW_CONTROLLER, CLIENT_CLOSED_STATUS } from './metrics/request-metrics.js'
export type { ExceptionRecord } from './capture/exception-record.js'
export type { ErrorRecord } from './capture/error-record.js'
export type { VigieOptions, StatsdOptions, CaptureOptions, ScrubOptions, RouteVigieConfig, PropagationOptions } from './types.js'

export default observability
