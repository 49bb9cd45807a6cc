import { sharedSymbol } from '../process-state.ts'

/**
 * Markers shared by every copy of this vigie version in the process (ESM and CJS).
 * - kCorrelationBound: set on a logger whose bindings already hold `correlationId`.
 * - kCapturedByVigie: set on a Fastify request whose 5xx vigie writes its own exception line for.
 * - kLoggerOptions: set on the serializers loggerOptions() builds, to detect them on a logger.
 */
export const kCorrelationBound = sharedSymbol('correlationBound')
export const kCapturedByVigie = sharedSymbol('capturedByVigie')
export const kLoggerOptions = sharedSymbol('loggerOptions')
