import type { TimeInput } from './types.js';

// Times are kept as milliseconds since performance.timeOrigin (a double from
// performance.now(): monotonic, sub-microsecond) and turned into bigint nanoseconds
// since the epoch only when read. Every span of the process shares the same origin, so
// child spans never start before their local parent.
const originMs = performance.timeOrigin;
const originWholeMs = Math.floor(originMs);
/** The time origin in ns since the epoch, split so no precision is lost in a double. */
const ORIGIN_NS = BigInt(originWholeMs) * 1_000_000n + BigInt(Math.round((originMs - originWholeMs) * 1e6));

/** Now, in ms since the time origin. */
export const now: () => number = performance.now.bind(performance);

/** Converts a relative time (ms since the origin) to bigint ns since the epoch. */
export function toEpochNanos(relativeMs: number): bigint {
  const whole = Math.floor(relativeMs);
  return ORIGIN_NS + BigInt(whole) * 1_000_000n + BigInt(Math.round((relativeMs - whole) * 1e6));
}

/** Converts a user time (bigint ns, number ms or Date since the epoch) to ms since the origin. */
export function fromTimeInput(time: TimeInput): number {
  if (typeof time === 'bigint') return Number(time - ORIGIN_NS) / 1e6;
  const epochMs = typeof time === 'number' ? time : time.getTime();
  return epochMs - originMs;
}
