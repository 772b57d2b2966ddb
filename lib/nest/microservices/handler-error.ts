import { SpanStatusCode } from '../../core/enums.js';
import type { Span } from '../../core/types.js';
import { ERROR_TYPE } from './messaging.attributes.js';

/**
 * Records a failed message on its span: status ERROR, an `exception` event and `error.type`.
 * By the time the error reaches us Nest's RPC exception filter may have turned it into a
 * plain `{ status: 'error', message }` object; its message is kept.
 */
export function recordHandlerError(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  let message: string | undefined;
  let type = '_OTHER';
  if (error instanceof Error) {
    message = error.message;
    type = error.constructor?.name || error.name || type;
    span.recordException(error);
  } else if (error !== null && typeof error === 'object') {
    const record = error as { message?: unknown; status?: unknown; name?: unknown };
    message = typeof record.message === 'string' ? record.message : safeJson(error);
    if (typeof record.name === 'string') type = record.name;
    const exception = Object.assign(new Error(message ?? 'error'), { name: type });
    span.recordException(exception);
  } else {
    message = String(error);
    span.recordException(message);
  }
  span.setAttribute(ERROR_TYPE, type);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
