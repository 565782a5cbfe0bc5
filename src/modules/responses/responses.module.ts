import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { StoreLock } from '../../infrastructure/database/store-lock.js';
import { RateLimitModule } from '../../infrastructure/rate-limit/rate-limit.module.js';
import { EventsModule } from '../events/index.js';
import { FilesModule } from '../files/index.js';
import { FormsModule } from '../forms/index.js';
import { CaptchaService } from './captcha/captcha.service.js';
import { ResponseDataChecker } from './response-data-checker.js';
import { FormResponse, FormResponseSchema } from './response.schema.js';
import { ResponsesController } from './responses.controller.js';
import { ResponsesRepository } from './responses.repository.js';
import { ResponsesService } from './responses.service.js';
import { SpamService } from './spam.service.js';
import { SubmissionController } from './submission.controller.js';
import { SubmissionService } from './submission.service.js';
import { WebPagesController } from './web-pages.controller.js';
import { WebPagesService } from './web-pages.service.js';
import { WebSubmissionService } from './web-submission.service.js';

@Module({
  imports: [
    MongooseModule.forFeature([{ name: FormResponse.name, schema: FormResponseSchema }]),
    RateLimitModule,
    EventsModule,
    FormsModule,
    FilesModule,
  ],
  controllers: [SubmissionController, WebPagesController, ResponsesController],
  providers: [
    ResponsesRepository,
    ResponseDataChecker,
    SubmissionService,
    ResponsesService,
    SpamService,
    StoreLock,
    // A web page's form posts (urlencoded and multipart bodies) and the pages a browser is answered with.
    WebSubmissionService,
    WebPagesService,
    CaptchaService,
  ],
  exports: [ResponsesService],
})
export class ResponsesModule {}
