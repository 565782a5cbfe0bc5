import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';

/**
 * The claims of an access token (see the contract): `sub` is the user id; `ver` is the user's token
 * version when it was issued: revoking a user's sessions moves the version on.
 */
export interface AccessTokenClaims {
  sub: string;
  tenant_id: string;
  role: string;
  ver: number;
}

/** Signs and verifies access tokens; the one place that knows their format. */
@Injectable()
export class AccessTokenService {
  constructor(private readonly jwt: JwtService) {}

  sign(claims: AccessTokenClaims): Promise<string> {
    return this.jwt.signAsync({ ...claims });
  }

  /** The token's claims, or null when it is malformed, forged, expired or lacks a claim. */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    try {
      const claims = await this.jwt.verifyAsync<Partial<AccessTokenClaims>>(token);
      const { sub, tenant_id, role, ver } = claims;
      if (typeof sub !== 'string' || typeof tenant_id !== 'string' || typeof role !== 'string') return null;
      if (typeof ver !== 'number') return null;
      return { sub, tenant_id, role, ver };
    } catch {
      return null;
    }
  }
}
