import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { StoreLock } from '../../infrastructure/database/store-lock.js';
import { BrowserFormTargets } from '../../infrastructure/http/browser-form-post.js';
import { RateLimitModule } from '../../infrastructure/rate-limit/rate-limit.module.js';
import { EventsModule } from '../events/index.js';
import { UsersModule } from '../users/index.js';
import { FormErrorUrls } from './browser-form-targets.js';
import { FormVersionsService } from './form-versions.service.js';
import { Form, FormCounter, FormCounterSchema, FormSchema, FormVersion, FormVersionSchema } from './form.schema.js';
import { FormsController } from './forms.controller.js';
import { FormsRepository } from './forms.repository.js';
import { FormsService } from './forms.service.js';
import { SubmissionTargetsService } from './submission-targets.service.js';

@Module({
  imports: [
    MongooseModule.forFeature([
      { name: Form.name, schema: FormSchema },
      { name: FormVersion.name, schema: FormVersionSchema },
      { name: FormCounter.name, schema: FormCounterSchema },
    ]),
    EventsModule,
    UsersModule,
    RateLimitModule,
  ],
  controllers: [FormsController],
  providers: [
    FormsRepository,
    FormsService,
    FormVersionsService,
    SubmissionTargetsService,
    StoreLock,
    // The exception filter's view of forms' error_url (browser form posts).
    { provide: BrowserFormTargets, useClass: FormErrorUrls },
  ],
  exports: [FormsService, FormVersionsService, SubmissionTargetsService],
})
export class FormsModule {}
