// Plain (non-const) enums: swc compiles file by file, so a cross-file `const enum`
// would not be inlined. Numbering is OpenTelemetry's, so values map 1:1 to OTLP.

/** The role of a span in a trace (OTLP numbering minus one, as in @opentelemetry/api). */
export enum SpanKind {
  INTERNAL = 0,
  SERVER = 1,
  CLIENT = 2,
  PRODUCER = 3,
  CONSUMER = 4,
}

/** A span's status; UNSET unless the instrumentation or the user sets it. */
export enum SpanStatusCode {
  UNSET = 0,
  OK = 1,
  ERROR = 2,
}

/** W3C trace-flags bits (Trace Context Level 2 §3.2.2.5). */
export enum TraceFlags {
  NONE = 0x00,
  SAMPLED = 0x01,
  RANDOM = 0x02,
}
