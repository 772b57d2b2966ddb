import type { FinishedSpan, InstrumentationScope, Resource } from '../../core/types.js';

/** Spans of one resource, split by instrumentation scope (OTLP ResourceSpans / ScopeSpans). */
export interface ResourceGroup {
  readonly resource: Resource;
  readonly scopes: ScopeGroup[];
}

export interface ScopeGroup {
  readonly scope: InstrumentationScope;
  readonly spans: FinishedSpan[];
}

/**
 * Groups spans by resource (object identity) and scope (name and version). The usual
 * batch has one resource and one scope: that case is detected without building maps.
 */
export function groupSpans(spans: readonly FinishedSpan[]): ResourceGroup[] {
  if (spans.length === 0) return [];
  const first = spans[0]!;
  const resource = first.resource;
  const scope = first.instrumentationScope;
  let uniform = true;
  for (let i = 1; i < spans.length; i++) {
    const s = spans[i]!;
    if (s.resource !== resource || s.instrumentationScope !== scope) {
      uniform = false;
      break;
    }
  }
  if (uniform) return [{ resource, scopes: [{ scope, spans: spans as FinishedSpan[] }] }];

  const byResource = new Map<Resource, Map<string, ScopeGroup>>();
  for (const span of spans) {
    let scopes = byResource.get(span.resource);
    if (scopes === undefined) byResource.set(span.resource, (scopes = new Map()));
    const s = span.instrumentationScope;
    const key = `${s.name}\u0000${s.version ?? ''}`;
    let group = scopes.get(key);
    if (group === undefined) scopes.set(key, (group = { scope: s, spans: [] }));
    group.spans.push(span);
  }
  const out: ResourceGroup[] = [];
  for (const [res, scopes] of byResource) out.push({ resource: res, scopes: [...scopes.values()] });
  return out;
}
