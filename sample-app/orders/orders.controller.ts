import { Controller } from '@nestjs/common';
import { MessagePattern, Payload, RpcException } from '@nestjs/microservices';
import { PATTERNS, type Order, type PlaceOrder } from './order.js';
import { OrdersService } from './orders.service.js';

/** The orders microservice's message handlers. */
@Controller()
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @MessagePattern(PATTERNS.placeOrder)
  async place(@Payload() input: PlaceOrder): Promise<Order> {
    try {
      return await this.orders.place(input);
    } catch (error) {
      throw new RpcException({ status: 400, message: (error as Error).message });
    }
  }

  @MessagePattern(PATTERNS.getOrder)
  get(@Payload() id: string): Order | null {
    return this.orders.find(id);
  }
}
