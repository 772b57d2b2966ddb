/** Diagnostic verbosity, as OTEL_LOG_LEVEL names it. */
export enum DiagLogLevel {
  NONE = 0,
  ERROR = 30,
  WARN = 50,
  INFO = 60,
  DEBUG = 70,
  VERBOSE = 80,
  ALL = 9999,
}

/** Where diagnostics go. The default writes to stderr with a `[nestjs-tracing]` prefix. */
export interface DiagSink {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const stderrSink: DiagSink = {
  error: (m) => process.stderr.write(`[nestjs-tracing] ERROR ${m}\n`),
  warn: (m) => process.stderr.write(`[nestjs-tracing] WARN ${m}\n`),
  info: (m) => process.stderr.write(`[nestjs-tracing] INFO ${m}\n`),
  debug: (m) => process.stderr.write(`[nestjs-tracing] DEBUG ${m}\n`),
};

const DIAG_KEY = Symbol.for('nestjs-tracing.diag');
interface DiagState {
  level: DiagLogLevel;
  sink: DiagSink;
  once: Set<string>;
}
const holder = globalThis as unknown as Record<symbol, DiagState | undefined>;
// The starting level honours OTEL_LOG_LEVEL even for a Tracer built without lib/config
// (which applies it again, with a warning for a bad value).
const state: DiagState = (holder[DIAG_KEY] ??= {
  level: initialLevel(typeof process === 'object' ? process.env.OTEL_LOG_LEVEL : undefined),
  sink: stderrSink,
  once: new Set(),
});

function initialLevel(value: string | undefined): DiagLogLevel {
  if (value === undefined || value.trim() === '') return DiagLogLevel.WARN;
  const key = value.trim().toUpperCase() as keyof typeof DiagLogLevel;
  return typeof DiagLogLevel[key] === 'number' ? DiagLogLevel[key] : DiagLogLevel.WARN;
}

function safe(write: (m: string) => void, message: string): void {
  try {
    write(message);
  } catch {
    // a broken sink must never reach the application
  }
}

/**
 * The library's one diagnostic logger, used instead of console everywhere. Silent except
 * for warnings and errors by default; OTEL_LOG_LEVEL (resolved in lib/config) or
 * `diag.setLevel` changes that. Process-wide (shared by the CJS and ESM copies).
 */
export const diag = {
  setLevel(level: DiagLogLevel): void {
    state.level = level;
  },
  get level(): DiagLogLevel {
    return state.level;
  },
  /** Replace the sink (e.g. a Nest Logger); `undefined` restores stderr. */
  setSink(sink: DiagSink | undefined): void {
    state.sink = sink ?? stderrSink;
  },
  error(message: string): void {
    if (state.level >= DiagLogLevel.ERROR) safe(state.sink.error, message);
  },
  warn(message: string): void {
    if (state.level >= DiagLogLevel.WARN) safe(state.sink.warn, message);
  },
  info(message: string): void {
    if (state.level >= DiagLogLevel.INFO) safe(state.sink.info, message);
  },
  debug(message: string): void {
    if (state.level >= DiagLogLevel.DEBUG) safe(state.sink.debug, message);
  },
  /** Warn the first time `key` is seen in this process, then stay silent for it. */
  warnOnce(key: string, message: string): void {
    if (state.once.has(key)) return;
    state.once.add(key);
    diag.warn(message);
  },
  /** Debug-level message, the first time `key` is seen. */
  debugOnce(key: string, message: string): void {
    if (state.once.has(key)) return;
    state.once.add(key);
    diag.debug(message);
  },
  /** Forget the once-keys (tests). */
  resetOnce(): void {
    state.once.clear();
  },
};

/** Parses an OTEL_LOG_LEVEL value; undefined for an unknown one. */
export function diagLevelFromName(name: string): DiagLogLevel | undefined {
  const key = name.trim().toUpperCase() as keyof typeof DiagLogLevel;
  const value = DiagLogLevel[key];
  return typeof value === 'number' ? value : undefined;
}
