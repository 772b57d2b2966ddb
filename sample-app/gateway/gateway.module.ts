import { Module } from '@nestjs/common';
import { ClientsModule } from '@nestjs/microservices';
import { TracingModule } from 'nestjs-tracing';
import { tracingOptions } from '../tracing-options.js';
import { transportOptions } from '../transport.js';
import { CatalogueController } from './catalogue.controller.js';
import { ORDERS, OrdersController } from './orders.controller.js';

/** The HTTP gateway. */
@Module({
  imports: [
    TracingModule.forRoot({ ...tracingOptions('gateway'), http: { ignore: ['/health'] } }),
    ClientsModule.register([{ name: ORDERS, ...transportOptions('orders') }]),
  ],
  controllers: [OrdersController, CatalogueController],
})
export class GatewayModule {}
