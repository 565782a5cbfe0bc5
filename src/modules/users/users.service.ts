import { Injectable, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import { AccessTokenService } from '../../infrastructure/auth/access-token.service.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { isDuplicateKeyError, isObjectIdHex, toObjectIds } from '../../infrastructure/database/mongo-values.js';
import { EventDispatcherService } from '../events/event-dispatcher.service.js';
import { EventEntitiesService } from '../events/event-entities.service.js';
import { EventType } from '../events/event.types.js';
import type { RegisterDto } from './dto/auth.dto.js';
import { PasswordHasher } from './password-hasher.js';
import { type UserRecord, UsersRepository } from './users.repository.js';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

@Injectable()
export class UsersService implements OnModuleInit {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: AccessTokenService,
    private readonly events: EventDispatcherService,
    private readonly entities: EventEntitiesService,
  ) {}

  onModuleInit(): void {
    this.entities.register([EventType.UserRegistered], (ids) => this.users.changedAt(ids));
  }

  /** The first user of a tenant owns it; later ones start as editors until an owner says otherwise. */
  async register(input: RegisterDto): Promise<{ user: UserRecord; accessToken: string }> {
    const email = normalizeEmail(input.email);
    if (await this.users.existsWithEmail(email)) throw emailTaken();
    const role = (await this.users.hasAny()) ? 'editor' : 'owner';
    const password_hash = await this.hasher.hash(input.password);
    const id = new Types.ObjectId();
    const userId = id.toHexString();
    const user = await this.events.emitWith({
      type: EventType.UserRegistered,
      entityId: userId,
      payload: { user_id: userId, email, name: input.name, role },
      write: () =>
        this.users.create({ _id: id, email, name: input.name, password_hash, role }).catch(rethrowEmailTaken),
    });
    return { user, accessToken: await this.issueToken(user) };
  }

  /** The signed-in user; a token whose user no longer exists is as good as no token. */
  async current(): Promise<UserRecord> {
    const userId = TenantContext.actor()?.user_id ?? '';
    const user = isObjectIdHex(userId) ? await this.users.findById(new Types.ObjectId(userId)) : null;
    if (!user) throw ApiError.unauthorized('The access token names no user of this tenant');
    return user;
  }

  /** The email of a user of the current tenant, or null when there is no such user. */
  async emailOf(userId: string): Promise<string | null> {
    const [id] = toObjectIds([userId]);
    return id ? ((await this.users.findById(id))?.email ?? null) : null;
  }

  issueToken(user: UserRecord): Promise<string> {
    return this.tokens.sign({ sub: user._id.toHexString(), tenant_id: TenantContext.tenantId(), role: user.role });
  }
}

function rethrowEmailTaken(error: unknown): never {
  if (isDuplicateKeyError(error)) throw emailTaken();
  throw error;
}

function emailTaken(): ApiError {
  return ApiError.conflict('A user with this email already exists');
}
