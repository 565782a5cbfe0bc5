import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { AuthModule } from '../../infrastructure/auth/auth.module.js';
import { StoreLock } from '../../infrastructure/database/store-lock.js';
import { RateLimitModule } from '../../infrastructure/rate-limit/rate-limit.module.js';
import { EventsModule } from '../events/index.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { MembersService } from './members.service.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordResetService } from './password-reset.service.js';
import { SessionsService } from './sessions.service.js';
import { User, UserSchema } from './user.schema.js';
import { UsersController } from './users.controller.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

/**
 * Members of a tenant: joining, signing in and out, roles and removal, password reset, and the
 * revocable sessions every authenticated request is checked against.
 */
@Module({
  imports: [
    MongooseModule.forFeature([{ name: User.name, schema: UserSchema }]),
    AuthModule,
    RateLimitModule,
    EventsModule,
  ],
  controllers: [AuthController, UsersController],
  providers: [
    UsersRepository,
    UsersService,
    SessionsService,
    MembersService,
    AuthService,
    PasswordResetService,
    PasswordHasher,
    StoreLock,
  ],
  exports: [UsersService, SessionsService, PasswordResetService, MembersService],
})
export class UsersModule {}
