import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { RateLimitModule } from '../../infrastructure/rate-limit/rate-limit.module.js';
import { EventsModule } from '../events/index.js';
import { FormsModule } from '../forms/index.js';
import { UsersModule } from '../users/index.js';
import { Invitation, InvitationSchema } from './invitation.schema.js';
import { InvitationsController } from './invitations.controller.js';
import { InvitationsRepository } from './invitations.repository.js';
import { InvitationsService } from './invitations.service.js';

/** Joining a tenant by invitation: created by owners, operators (admin API, CLI), accepted anonymously. */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: Invitation.name, schema: InvitationSchema }]),
    RateLimitModule,
    EventsModule,
    FormsModule,
    UsersModule,
  ],
  controllers: [InvitationsController],
  providers: [InvitationsRepository, InvitationsService],
  exports: [InvitationsService],
})
export class InvitationsModule {}
