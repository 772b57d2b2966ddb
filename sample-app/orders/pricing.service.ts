import { Injectable } from '@nestjs/common';
import { Span, Tracer } from 'nestjs-tracing';

/** Looks prices up over HTTP (the gateway's catalogue endpoint): the sample's outgoing HTTP call. */
@Injectable()
export class PricingService {
  constructor(private readonly tracer: Tracer) {}

  @Span()
  async priceOf(sku: string): Promise<number> {
    const base = process.env.CATALOGUE_URL ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
    const response = await fetch(`${base}/catalogue/${encodeURIComponent(sku)}`);
    if (!response.ok) throw new Error(`catalogue answered ${response.status} for ${sku}`);
    const { price } = (await response.json()) as { price: number };
    this.tracer.currentSpan()?.setAttribute('catalogue.price', price);
    return price;
  }
}
