/**
 * Markers shared by every copy of vigie in the process (ESM and CJS), hence `Symbol.for`.
 * - kCorrelationBound: set on a logger whose bindings already hold `correlationId`.
 * - kCapturedByVigie: set on a Fastify request whose 5xx vigie writes its own exception line for.
 * - kLoggerOptions: set on the serializers loggerOptions() builds, to detect them on a logger.
 */
export const kCorrelationBound = Symbol.for('vigie.correlationBound')
export const kCapturedByVigie = Symbol.for('vigie.capturedByVigie')
export const kLoggerOptions = Symbol.for('vigie.loggerOptions')
