import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ROLES, type Role } from '../../../infrastructure/auth/roles.js';
import type { UserRecord } from '../users.repository.js';

export class UserDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345678' }) user_id!: string;
  @ApiProperty({ example: 'ada@example.com' }) email!: string;
  @ApiProperty({ example: 'Ada Lovelace' }) name!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() created_at!: string;

  static from(user: UserRecord): UserDto {
    return {
      user_id: user._id.toHexString(),
      email: user.email,
      name: user.name,
      role: user.role,
      created_at: user.created_at.toISOString(),
    };
  }
}

export class UserListDto {
  @ApiProperty({ type: UserDto, isArray: true }) data!: UserDto[];
}

export class ChangeRoleDto {
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: Role;
}

export class RegisteredDto {
  @ApiProperty({ type: UserDto }) user!: UserDto;
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIs…' }) access_token!: string;
}
