import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Span, Tracer } from 'nestjs-tracing';
import { PATTERNS, type Order } from '../orders/order.js';

/** Consumes `orders.created` events (a CONSUMER span in the same trace as the order). */
@Controller()
export class NotificationsController {
  private readonly logger = new Logger('Notifications');

  constructor(private readonly tracer: Tracer) {}

  @EventPattern(PATTERNS.orderCreated)
  async onOrderCreated(@Payload() order: Order): Promise<void> {
    await this.send(order);
  }

  @Span()
  private async send(order: Order): Promise<void> {
    this.tracer.currentSpan()?.setAttribute('order.id', order.id);
    this.logger.log(`[${this.tracer.correlationId()}] order ${order.id} confirmed: ${order.quantity} x ${order.sku}`);
  }
}
