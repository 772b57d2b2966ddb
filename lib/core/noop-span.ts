import { INVALID_SPAN_ID, INVALID_TRACE_ID } from './ids.js';
import type { Span, SpanContext } from './types.js';

const INVALID_CONTEXT: SpanContext = Object.freeze({
  traceId: INVALID_TRACE_ID,
  spanId: INVALID_SPAN_ID,
  traceFlags: 0,
});

/**
 * The span handed out when tracing is disabled or a span is not sampled: one frozen
 * singleton, every method a no-op, so that path allocates nothing.
 */
class NoOpSpan implements Span {
  spanContext(): SpanContext {
    return INVALID_CONTEXT;
  }
  setAttribute(): this {
    return this;
  }
  setAttributes(): this {
    return this;
  }
  addEvent(): this {
    return this;
  }
  addLink(): this {
    return this;
  }
  recordException(): this {
    return this;
  }
  setStatus(): this {
    return this;
  }
  updateName(): this {
    return this;
  }
  end(): void {}
  isRecording(): boolean {
    return false;
  }
}

/** The one NoOp span instance. */
export const NOOP_SPAN: Span = Object.freeze(new NoOpSpan());
