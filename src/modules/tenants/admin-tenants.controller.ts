import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AdminKeyGuard } from '../../infrastructure/http/admin-key.guard.js';
import { ApiOkListResponse } from '../../infrastructure/http/api-list-response.js';
import { WithoutTenant } from '../../infrastructure/tenancy/without-tenant.decorator.js';
import { CreateInvitationDto, InvitationDto } from '../invitations/index.js';
import { CreatedTenantDto, CreateTenantDto, OwnerInvitationDto } from './dto/create-tenant.dto.js';
import { TenantDto } from './dto/tenant.dto.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('admin')
@ApiSecurity('admin-key')
@ApiUnauthorizedResponse({ description: 'Missing or wrong X-Admin-Key (unauthorized)' })
@WithoutTenant()
@UseGuards(AdminKeyGuard)
@Controller('admin/tenants')
export class AdminTenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a tenant; with `owner`, email them an owner invitation' })
  @ApiCreatedResponse({ type: CreatedTenantDto })
  @ApiConflictResponse({ description: 'The tenant_id is taken (conflict)' })
  async create(@Body() body: CreateTenantDto): Promise<CreatedTenantDto> {
    const { tenant, ownerInvitation } = await this.tenants.create(body);
    const created: CreatedTenantDto = TenantDto.from(tenant);
    if (ownerInvitation) created.owner_invitation = OwnerInvitationDto.from(InvitationDto.from(ownerInvitation));
    return created;
  }

  @Post(':tenant_id/invitations')
  @ApiOperation({ summary: "Invite someone into a tenant with a role (e.g. a new owner); emailed like an owner's" })
  @ApiCreatedResponse({ type: InvitationDto })
  @ApiNotFoundResponse({ description: 'No such tenant (not_found)' })
  @ApiConflictResponse({ description: 'The email is a member already, or the tenant is being deleted (conflict)' })
  async invite(@Param('tenant_id') tenantId: string, @Body() body: CreateInvitationDto): Promise<InvitationDto> {
    return InvitationDto.from(await this.tenants.invite(tenantId, body));
  }

  @Get()
  @ApiOkListResponse(TenantDto)
  async list(): Promise<{ data: TenantDto[] }> {
    return { data: (await this.tenants.list()).map(TenantDto.from) };
  }

  @Get(':tenant_id')
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ description: 'No such tenant (not_found)' })
  async get(@Param('tenant_id') tenantId: string): Promise<TenantDto> {
    return TenantDto.from(await this.tenants.get(tenantId));
  }

  @Patch(':tenant_id')
  @ApiOperation({ summary: 'Rename, suspend/reactivate, or change settings; takes effect on every replica' })
  @ApiOkResponse({ type: TenantDto })
  @ApiNotFoundResponse({ description: 'No such tenant (not_found)' })
  @ApiConflictResponse({ description: 'The tenant is being deleted (conflict)' })
  async update(@Param('tenant_id') tenantId: string, @Body() body: UpdateTenantDto): Promise<TenantDto> {
    return TenantDto.from(await this.tenants.update(tenantId, body));
  }

  @Delete(':tenant_id')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary:
      'Delete a tenant: suspended at once (status "deleting"), then every document and file of it is erased; 404 once gone',
  })
  @ApiAcceptedResponse({ type: TenantDto, description: 'The tenant, now `deleting`' })
  @ApiNotFoundResponse({ description: 'No such tenant (not_found)' })
  @ApiConflictResponse({ description: 'The default tenant cannot be deleted (conflict)' })
  async delete(@Param('tenant_id') tenantId: string): Promise<TenantDto> {
    return TenantDto.from(await this.tenants.delete(tenantId));
  }
}
