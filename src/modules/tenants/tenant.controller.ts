import { Body, Controller, Get, Patch } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { TenantDto } from './dto/tenant.dto.js';
import { UpdateOwnTenantDto } from './dto/update-own-tenant.dto.js';
import { TenantsService } from './tenants.service.js';

/** The signed-in member's own tenant (the operator's view is `admin/tenants`). */
@ApiTags('tenant')
@Controller('tenant')
export class TenantController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @RequireUser()
  @ApiOperation({ summary: 'Any member: the tenant, with its settings' })
  @ApiOkResponse({ type: TenantDto })
  async get(): Promise<TenantDto> {
    return TenantDto.from(await this.tenants.current());
  }

  @Patch()
  @RequireUser('owner')
  @ApiOperation({
    summary:
      'Owner: rename, and set registration, signup_role, allowed_origins, response_retention_days, spam_retention_days',
    description: 'Quotas, features and status stay with the operator: sending them is 400 validation_failed.',
  })
  @ApiOkResponse({ type: TenantDto })
  async update(@Body() body: UpdateOwnTenantDto): Promise<TenantDto> {
    return TenantDto.from(await this.tenants.updateCurrent(body));
  }
}
