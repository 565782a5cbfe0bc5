import { isEmail } from 'class-validator';
import { Command, CommandRunner, Option } from 'nest-commander';
import { ROLES, type Role } from '../infrastructure/auth/roles.js';
import { TenantsService } from '../modules/tenants/index.js';

interface InviteOptions {
  tenant: string;
  email: string;
  role: Role;
}

/**
 * Bootstraps a tenant without email: creates an invitation and prints its accept link (no email is
 * sent; a pending invitation to the same address is revoked). The link is shown once, here only.
 */
@Command({ name: 'invite', description: 'Invite someone into a tenant and print the accept link (no email)' })
export class InviteCommand extends CommandRunner {
  constructor(private readonly tenants: TenantsService) {
    super();
  }

  async run(_args: string[], options: InviteOptions): Promise<void> {
    const problem = problemWith(options);
    if (problem) {
      process.stderr.write(`invite failed: ${problem}\n`);
      process.exitCode = 1;
      return;
    }
    try {
      const { invitation, link } = await this.tenants.inviteWithLink(options.tenant, options);
      process.stdout.write(
        `Invitation for ${invitation.email} as ${invitation.role} in ${options.tenant}, valid until ` +
          `${invitation.expires_at.toISOString()}. Accept it at:\n${link}\n`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`invite failed: ${message}\n`);
      process.exitCode = 1;
    }
  }

  @Option({ flags: '--tenant <tenant_id>', description: 'The tenant to join', required: true })
  parseTenant(value: string): string {
    return value.trim();
  }

  @Option({ flags: '--email <email>', description: "The invitee's email address", required: true })
  parseEmail(value: string): string {
    return value.trim();
  }

  @Option({ flags: '--role <role>', description: `One of ${ROLES.join(', ')}`, defaultValue: 'owner' })
  parseRole(value: string): Role {
    return value as Role;
  }
}

function problemWith(options: InviteOptions): string | null {
  if (!isEmail(options.email)) return `--email: '${options.email}' is not an email address`;
  if (!(ROLES as readonly string[]).includes(options.role)) return `--role must be one of ${ROLES.join(', ')}`;
  return null;
}
