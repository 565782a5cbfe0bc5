import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model, Types } from 'mongoose';
import type { Role } from '../../infrastructure/auth/roles.js';
import { lastChanges } from '../../infrastructure/database/last-changes.js';
import { User } from './user.schema.js';

export type UserRecord = Omit<User, 'password_reset' | 'password_reset_requested_at'>;

/** Every read leaves the pending reset token's hash out: only the reset flow looks at it. */
const WITHOUT_RESET = { password_reset: 0, password_reset_requested_at: 0 };
/** Every change that revokes the user's sessions moves the token version on. */
const REVOKE_SESSIONS = { $inc: { token_version: 1 } };

@Injectable()
export class UsersRepository {
  constructor(@InjectModel(User.name) private readonly users: Model<User>) {}

  async create(user: {
    _id: Types.ObjectId;
    email: string;
    name: string;
    password_hash: string;
    role: Role;
  }): Promise<UserRecord> {
    return withoutReset((await this.users.create(user)).toObject()) as UserRecord;
  }

  /** When each of these users last changed (users of other tenants and missing ones are left out). */
  changedAt(ids: string[]): Promise<Map<string, Date>> {
    return lastChanges(this.users, ids);
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.users.findOne({ email }, WITHOUT_RESET).lean<UserRecord>();
  }

  /** Which of these (normalized) emails belong to members. */
  async existingEmails(emails: string[]): Promise<Set<string>> {
    const found = await this.users.find({ email: { $in: emails } }, { email: 1 }).lean<{ email: string }[]>();
    return new Set(found.map((user) => user.email));
  }

  findById(id: Types.ObjectId): Promise<UserRecord | null> {
    return this.users.findOne({ _id: id }, WITHOUT_RESET).lean<UserRecord>();
  }

  list(): Promise<UserRecord[]> {
    return this.users.find({}, WITHOUT_RESET).sort({ created_at: 1, _id: 1 }).lean<UserRecord[]>();
  }

  async existsWithEmail(email: string): Promise<boolean> {
    return (await this.users.exists({ email })) !== null;
  }

  countWithRole(role: Role): Promise<number> {
    return this.users.countDocuments({ role });
  }

  /** The user's current token version, or null when there is no such user. */
  async tokenVersion(id: Types.ObjectId): Promise<number | null> {
    const found = await this.users.findOne({ _id: id }, { token_version: 1 }).lean<{ token_version?: number }>();
    return found ? (found.token_version ?? 0) : null;
  }

  async setRole(id: Types.ObjectId, role: Role): Promise<UserRecord | null> {
    return withoutReset(
      await this.users
        .findOneAndUpdate({ _id: id }, { $set: { role }, ...REVOKE_SESSIONS }, { returnDocument: 'after' })
        .lean<User>(),
    );
  }

  /** Replaces a hash by a stronger one of the same password, unless the password changed meanwhile. */
  async upgradePasswordHash(id: Types.ObjectId, currentHash: string, strongerHash: string): Promise<void> {
    await this.users.updateOne({ _id: id, password_hash: currentHash }, { $set: { password_hash: strongerHash } });
  }

  async setPassword(id: Types.ObjectId, passwordHash: string): Promise<UserRecord | null> {
    return withoutReset(
      await this.users
        .findOneAndUpdate(
          { _id: id },
          { $set: { password_hash: passwordHash }, $unset: { password_reset: 1 }, ...REVOKE_SESSIONS },
          { returnDocument: 'after' },
        )
        .lean<User>(),
    );
  }

  async revokeSessions(id: Types.ObjectId): Promise<void> {
    await this.users.updateOne({ _id: id }, REVOKE_SESSIONS);
  }

  async remove(id: Types.ObjectId): Promise<boolean> {
    return (await this.users.deleteOne({ _id: id })).deletedCount === 1;
  }

  /** Marks a reset as asked for: the change its event announces (so the relay can tell it happened). */
  async markPasswordResetRequested(id: Types.ObjectId): Promise<boolean> {
    const result = await this.users.updateOne({ _id: id }, { $set: { password_reset_requested_at: new Date() } });
    return result.matchedCount === 1;
  }

  async setPasswordReset(id: Types.ObjectId, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.users.updateOne(
      { _id: id },
      { $set: { password_reset: { token_hash: tokenHash, expires_at: expiresAt } } },
    );
  }

  /** The pending reset of a user, to check a token against before any costly work. */
  async pendingPasswordReset(id: Types.ObjectId): Promise<{ token_hash: string; expires_at: Date } | null> {
    const found = await this.users.findOne({ _id: id }, { password_reset: 1 }).lean<Pick<User, 'password_reset'>>();
    return found?.password_reset ?? null;
  }

  /** Sets the new password only if the reset token is still pending and unexpired; consumes it. */
  async consumePasswordReset(id: Types.ObjectId, tokenHash: string, passwordHash: string): Promise<boolean> {
    const result = await this.users.updateOne(
      { _id: id, 'password_reset.token_hash': tokenHash, 'password_reset.expires_at': { $gt: new Date() } },
      { $set: { password_hash: passwordHash }, $unset: { password_reset: 1 }, ...REVOKE_SESSIONS },
    );
    return result.modifiedCount === 1;
  }
}

/** The local store has no projection on find-and-modify: the reset fields are dropped here instead. */
function withoutReset(user: User | null): UserRecord | null {
  if (!user) return null;
  delete user.password_reset;
  delete user.password_reset_requested_at;
  return user;
}
