import { Body, Controller, Get, HttpException, Inject, NotFoundException, Param, Post } from '@nestjs/common';
import { ClientProxy } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { PATTERNS, type Order, type PlaceOrder } from '../orders/order.js';

export const ORDERS = 'ORDERS';

/** The public HTTP API: forwards to the orders microservice. */
@Controller('orders')
export class OrdersController {
  constructor(@Inject(ORDERS) private readonly orders: ClientProxy) {}

  @Post()
  async place(@Body() body: PlaceOrder): Promise<Order> {
    try {
      return await firstValueFrom(this.orders.send<Order>(PATTERNS.placeOrder, body));
    } catch (error) {
      const e = error as { status?: number; message?: string };
      throw new HttpException(e.message ?? 'order failed', e.status ?? 502);
    }
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<Order> {
    const order = await firstValueFrom(this.orders.send<Order | null>(PATTERNS.getOrder, id));
    if (!order) throw new NotFoundException(`order ${id} not found`);
    return order;
  }
}
