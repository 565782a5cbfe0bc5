import { HttpStatus, Injectable, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import type { Role } from '../../infrastructure/auth/roles.js';
import { isDuplicateKeyError, isObjectIdHex, toObjectIds } from '../../infrastructure/database/mongo-values.js';
import { ApiError } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventDispatcherService, EventEntitiesService, EventType } from '../events/index.js';
import type { RegisterDto } from './dto/auth.dto.js';
import { PasswordHasher } from './password-hasher.js';
import { SessionsService } from './sessions.service.js';
import { type UserRecord, UsersRepository } from './users.repository.js';

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export interface NewMember {
  email: string;
  name: string;
  password: string;
  role: Role;
}

export interface SignedIn {
  user: UserRecord;
  accessToken: string;
}

/** Who belongs to the tenant: joining (open registration or an accepted invitation) and lookups. */
@Injectable()
export class UsersService implements OnModuleInit {
  constructor(
    private readonly users: UsersRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionsService,
    private readonly events: EventDispatcherService,
    private readonly entities: EventEntitiesService,
  ) {}

  onModuleInit(): void {
    this.entities.register([EventType.UserRegistered, EventType.PasswordResetRequested], (ids) =>
      this.users.changedAt(ids),
    );
    // Removal deletes the document: a user still there was not removed.
    this.entities.registerDeletion([EventType.UserRemoved], async (ids) => {
      const present = await this.users.changedAt(ids);
      return new Map([...present.keys()].map((id) => [id, null]));
    });
  }

  /** Self-service sign-up: only where the tenant's owner opened registration, as its `signup_role`. */
  async register(input: RegisterDto): Promise<SignedIn> {
    const { registration, signup_role } = TenantContext.tenant().settings;
    if (registration !== 'open') {
      throw new ApiError(
        HttpStatus.FORBIDDEN,
        ErrorCode.RegistrationClosed,
        'This tenant admits new members by invitation only',
      );
    }
    return this.join({ ...input, role: signup_role });
  }

  /** Makes a member of the current tenant (`409 conflict` when the email is one already) and signs them in. */
  async join(member: NewMember): Promise<SignedIn> {
    const email = normalizeEmail(member.email);
    if (await this.users.existsWithEmail(email)) throw emailTaken();
    const password_hash = await this.hasher.hash(member.password);
    const id = new Types.ObjectId();
    const userId = id.toHexString();
    const { name, role } = member;
    const user = await this.events.emitWith({
      type: EventType.UserRegistered,
      entityId: userId,
      payload: { user_id: userId, email, name, role },
      write: () => this.users.create({ _id: id, email, name, password_hash, role }).catch(rethrowEmailTaken),
    });
    return { user, accessToken: await this.sessions.issue(user) };
  }

  async isMember(email: string): Promise<boolean> {
    return this.users.existsWithEmail(normalizeEmail(email));
  }

  /** The signed-in user; a token whose user no longer exists is as good as no token. */
  async current(): Promise<UserRecord> {
    const userId = TenantContext.actor()?.user_id ?? '';
    const user = isObjectIdHex(userId) ? await this.users.findById(new Types.ObjectId(userId)) : null;
    if (!user) throw ApiError.unauthorized('The access token names no user of this tenant');
    return user;
  }

  list(): Promise<UserRecord[]> {
    return this.users.list();
  }

  /** Which of `emails` are not members' addresses (compared normalized, answered as given). */
  async nonMemberEmails(emails: string[]): Promise<string[]> {
    if (emails.length === 0) return [];
    const members = await this.users.existingEmails([...new Set(emails.map(normalizeEmail))]);
    return emails.filter((email) => !members.has(normalizeEmail(email)));
  }

  /** The name and email of a user of the current tenant, or null when there is no such user (any more). */
  async contactOf(userId: string): Promise<{ name: string; email: string } | null> {
    const [id] = toObjectIds([userId]);
    const user = id ? await this.users.findById(id) : null;
    return user ? { name: user.name, email: user.email } : null;
  }

  /** Whether the user is (still) a member of the current tenant. */
  async exists(userId: string): Promise<boolean> {
    return (await this.contactOf(userId)) !== null;
  }

  /** The email of a user of the current tenant, or null when there is no such user. */
  async emailOf(userId: string): Promise<string | null> {
    const [id] = toObjectIds([userId]);
    return id ? ((await this.users.findById(id))?.email ?? null) : null;
  }
}

function rethrowEmailTaken(error: unknown): never {
  if (isDuplicateKeyError(error)) throw emailTaken();
  throw error;
}

function emailTaken(): ApiError {
  return ApiError.conflict('A member with this email already exists');
}
