/** `telemetry.sdk.name` reported in every resource. */
export const SDK_NAME = 'nestjs-tracing';
/** `telemetry.sdk.language`. */
export const SDK_LANGUAGE = 'nodejs';
/** `telemetry.sdk.version`: this package's version (kept in step with package.json by the release script). */
export const SDK_VERSION = '0.1.0';
/** The service name used when none is configured (OpenTelemetry's default for Node). */
export const DEFAULT_SERVICE_NAME = 'unknown_service:node';
