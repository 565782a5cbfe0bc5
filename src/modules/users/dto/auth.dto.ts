import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsString, MaxLength, MinLength } from 'class-validator';

const EMAIL = { example: 'ada@example.com', maxLength: 254 };
const PASSWORD = { example: 'correct horse battery staple', minLength: 8, maxLength: 256 };

export class RegisterDto {
  @ApiProperty(EMAIL) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty(PASSWORD) @IsString() @MinLength(8) @MaxLength(256) password!: string;
  @ApiProperty({ example: 'Ada Lovelace' }) @IsString() @IsNotEmpty() @MaxLength(200) name!: string;
}

export class LoginDto {
  @ApiProperty(EMAIL) @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty({ example: PASSWORD.example }) @IsString() @IsNotEmpty() @MaxLength(256) password!: string;
}

export class PasswordResetRequestDto {
  @ApiProperty(EMAIL) @IsEmail() @MaxLength(254) email!: string;
}

export class PasswordResetConfirmDto {
  @ApiProperty({ description: 'The token from the reset email' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(512)
  token!: string;
  @ApiProperty(PASSWORD) @IsString() @MinLength(8) @MaxLength(256) password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ example: PASSWORD.example }) @IsString() @IsNotEmpty() @MaxLength(256) current_password!: string;
  @ApiProperty(PASSWORD) @IsString() @MinLength(8) @MaxLength(256) new_password!: string;
}

export class AccessTokenDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIs…' }) access_token!: string;
  @ApiProperty({ example: 'Bearer' }) token_type!: 'Bearer';
  @ApiProperty({ example: 3600, description: 'Seconds until the token expires' }) expires_in!: number;
}
