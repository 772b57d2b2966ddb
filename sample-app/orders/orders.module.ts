import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { TracingModule } from 'nestjs-tracing';
import { tracingOptions } from '../tracing-options.js';
import { transportOptions } from '../transport.js';
import { OrdersController } from './orders.controller.js';
import { NOTIFICATIONS, OrdersService } from './orders.service.js';
import { PricingService } from './pricing.service.js';

/** The orders microservice: prices over HTTP, stores, and emits `orders.created`. */
@Module({
  imports: [
    TracingModule.forRoot(tracingOptions('orders')),
    ClientsModule.register([{ name: NOTIFICATIONS, ...transportOptions('notifications') }]),
  ],
  controllers: [OrdersController],
  providers: [OrdersService, PricingService],
})
export class OrdersModule {}
