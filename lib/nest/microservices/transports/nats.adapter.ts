import { isReplacedKey, readCarrier, type StringCarrier } from '../message.carrier.js';
import type { MicroservicesExports } from '../microservices.loader.js';
import { callContext, type ClientLike, type TransportAdapter } from './transport.adapter.js';

interface MsgHdrsLike {
  keys(): Iterable<string>;
  values(key: string): string[];
  append(key: string, value: string): void;
  set(key: string, value: string): void;
}

/**
 * A fresh NATS `MsgHdrs`, made by the nats package the client itself loaded (`nats` on
 * NestJS 11, `@nats-io/transport-node` on 12): `ClientNats#mergeHeaders` creates one when
 * asked to merge static headers into none.
 */
function newHeaders(client: ClientLike): MsgHdrsLike | undefined {
  const merge = client.mergeHeaders;
  if (typeof merge !== 'function') return undefined;
  const headers = (merge as (h: undefined) => unknown).call({ options: { headers: {} } }, undefined) as MsgHdrsLike | undefined;
  return headers !== undefined && typeof headers.set === 'function' ? headers : undefined;
}

/**
 * NATS: W3C headers in the NATS message headers. The payload is sent as a `NatsRecord` whose
 * headers are a copy of the user's record headers (if any) minus stale trace headers, plus
 * ours; `NatsRecordSerializer` sends `record.data`, so the handler gets the payload as sent.
 * The server reads them with `NatsContext#getHeaders()`.
 */
export const NATS_ADAPTER: TransportAdapter = {
  system: 'nats',
  clientClass: 'ClientNats',
  serverClass: 'ServerNats',
  carry: () => 'data',
  wrapData(mod: MicroservicesExports, client: ClientLike, data: unknown, carrier: StringCarrier): unknown {
    const NatsRecord = mod.NatsRecord;
    if (NatsRecord === undefined) return data;
    const headers = newHeaders(client);
    if (headers === undefined) return data;
    let payload = data;
    if (data instanceof NatsRecord) {
      payload = data.data;
      const existing = data.headers as MsgHdrsLike | undefined;
      if (existing !== undefined && existing !== null && typeof existing.keys === 'function') {
        for (const key of existing.keys()) {
          if (isReplacedKey(key, carrier)) continue;
          for (const value of existing.values(key)) headers.append(key, value);
        }
      }
    }
    for (const key of Object.keys(carrier)) headers.set(key, carrier[key]);
    return new NatsRecord(payload, headers);
  },
  serverCarrier: (rpcContext) => readCarrier(callContext(rpcContext, 'getHeaders')),
};
