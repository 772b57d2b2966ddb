import { Module } from '@nestjs/common';
import { TracingModule } from 'nestjs-tracing';
import { tracingOptions } from '../tracing-options.js';
import { NotificationsController } from './notifications.controller.js';

/** The notifications consumer. */
@Module({
  imports: [TracingModule.forRoot(tracingOptions('notifications'))],
  controllers: [NotificationsController],
})
export class NotificationsModule {}
