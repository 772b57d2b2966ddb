import { VERSION } from '../core/version.js';

/** `telemetry.sdk.name` reported in every resource. */
export const SDK_NAME = 'nestjs-tracing';
/** `telemetry.sdk.language`. */
export const SDK_LANGUAGE = 'nodejs';
/** `telemetry.sdk.version`: this package's version (core/version.ts). */
export const SDK_VERSION: string = VERSION;
/** The service name used when none is configured (OpenTelemetry's default for Node). */
export const DEFAULT_SERVICE_NAME = 'unknown_service:node';
