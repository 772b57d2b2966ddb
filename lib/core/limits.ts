/** Span limits with every field resolved. `Infinity` means unlimited. */
export interface ResolvedSpanLimits {
  readonly attributeCountLimit: number;
  readonly attributeValueLengthLimit: number;
  readonly eventCountLimit: number;
  readonly linkCountLimit: number;
  readonly attributePerEventCountLimit: number;
  readonly attributePerLinkCountLimit: number;
}

/** OpenTelemetry's defaults: 128 attributes, events and links; attribute values unlimited. */
export const DEFAULT_SPAN_LIMITS: ResolvedSpanLimits = Object.freeze({
  attributeCountLimit: 128,
  attributeValueLengthLimit: Infinity,
  eventCountLimit: 128,
  linkCountLimit: 128,
  attributePerEventCountLimit: 128,
  attributePerLinkCountLimit: 128,
});
