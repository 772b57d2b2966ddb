import { DEFAULT_SERVICE_NAME, SDK_LANGUAGE, SDK_NAME, SDK_VERSION } from '../../config/sdk-info.js';
import type { Attributes, Resource } from '../../core/types.js';

/**
 * The attributes exported for a resource: its own, with `service.name` and the
 * `telemetry.sdk.*` attributes filled in when the resource does not carry them.
 */
export function exportedResourceAttributes(resource: Resource | undefined): Attributes {
  const attrs = resource?.attributes ?? {};
  const out: Attributes = {};
  if (attrs['service.name'] === undefined) out['service.name'] = DEFAULT_SERVICE_NAME;
  if (attrs['telemetry.sdk.name'] === undefined) out['telemetry.sdk.name'] = SDK_NAME;
  if (attrs['telemetry.sdk.language'] === undefined) out['telemetry.sdk.language'] = SDK_LANGUAGE;
  if (attrs['telemetry.sdk.version'] === undefined) out['telemetry.sdk.version'] = SDK_VERSION;
  return Object.assign(out, attrs);
}
