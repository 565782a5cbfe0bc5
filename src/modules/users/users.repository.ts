import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import { lastChanges } from '../../infrastructure/database/last-changes.js';
import type { Model, Types } from 'mongoose';
import type { Role } from '../../infrastructure/auth/roles.js';
import { User } from './user.schema.js';

export type UserRecord = Omit<User, 'password_reset'>;

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
    return (await this.users.create(user)).toObject();
  }

  /** When each of these users last changed (users of other tenants and missing ones are left out). */
  changedAt(ids: string[]): Promise<Map<string, Date>> {
    return lastChanges(this.users, ids);
  }

  findByEmail(email: string): Promise<UserRecord | null> {
    return this.users.findOne({ email }, { password_reset: 0 }).lean<UserRecord>();
  }

  findById(id: Types.ObjectId): Promise<UserRecord | null> {
    return this.users.findOne({ _id: id }, { password_reset: 0 }).lean<UserRecord>();
  }

  async existsWithEmail(email: string): Promise<boolean> {
    return (await this.users.exists({ email })) !== null;
  }

  async hasAny(): Promise<boolean> {
    return (await this.users.exists({})) !== null;
  }

  async setPasswordReset(id: Types.ObjectId, tokenHash: string, expiresAt: Date): Promise<void> {
    await this.users.updateOne(
      { _id: id },
      { $set: { password_reset: { token_hash: tokenHash, expires_at: expiresAt } } },
    );
  }

  /** Sets the new password only if the reset token is still pending and unexpired; consumes it. */
  async consumePasswordReset(id: Types.ObjectId, tokenHash: string, passwordHash: string): Promise<boolean> {
    const result = await this.users.updateOne(
      { _id: id, 'password_reset.token_hash': tokenHash, 'password_reset.expires_at': { $gt: new Date() } },
      { $set: { password_hash: passwordHash }, $unset: { password_reset: 1 } },
    );
    return result.modifiedCount === 1;
  }
}
