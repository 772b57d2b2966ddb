import { Inject, Injectable } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { Span, Tracer } from 'nestjs-tracing';
import { PATTERNS, type Order, type PlaceOrder } from './order.js';
import { PricingService } from './pricing.service.js';

export const NOTIFICATIONS = 'NOTIFICATIONS';

/** Places and finds orders; each step is a child span of the incoming message's span. */
@Injectable()
export class OrdersService {
  private readonly orders = new Map<string, Order>();

  constructor(
    private readonly pricing: PricingService,
    private readonly tracer: Tracer,
    @Inject(NOTIFICATIONS) private readonly notifications: ClientProxy,
  ) {}

  @Span()
  async place(input: PlaceOrder): Promise<Order> {
    this.validate(input);
    const unitPrice = await this.pricing.priceOf(input.sku);
    const order = this.store({
      id: randomUUID(),
      sku: input.sku,
      quantity: input.quantity,
      unitPrice,
      total: Math.round(unitPrice * input.quantity * 100) / 100,
      createdAt: new Date().toISOString(),
    });
    this.tracer.currentSpan()?.setAttribute('order.id', order.id);
    this.notifications.emit(PATTERNS.orderCreated, order);
    return order;
  }

  @Span()
  find(id: string): Order | null {
    return this.orders.get(id) ?? null;
  }

  @Span('orders.validate')
  private validate(input: PlaceOrder): void {
    if (typeof input?.sku !== 'string' || input.sku.length === 0) throw new Error('sku is required');
    if (!Number.isInteger(input.quantity) || input.quantity < 1) throw new Error('quantity must be a positive integer');
  }

  @Span('orders.store')
  private store(order: Order): Order {
    this.orders.set(order.id, order);
    return order;
  }
}
