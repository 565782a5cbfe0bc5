import { Body, Controller, Get, Param, Patch, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AdminKeyGuard } from '../../infrastructure/http/admin-key.guard.js';
import { WithoutTenant } from '../../infrastructure/tenancy/without-tenant.decorator.js';
import { CreateTenantDto } from './dto/create-tenant.dto.js';
import { TenantDto } from './dto/tenant.dto.js';
import { UpdateTenantDto } from './dto/update-tenant.dto.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('admin')
@ApiSecurity('admin-key')
@WithoutTenant()
@UseGuards(AdminKeyGuard)
@Controller('admin/tenants')
export class AdminTenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a tenant (409 conflict when the tenant_id is taken)' })
  @ApiCreatedResponse({ type: TenantDto })
  async create(@Body() body: CreateTenantDto): Promise<TenantDto> {
    return TenantDto.from(await this.tenants.create(body));
  }

  @Get()
  @ApiOkResponse({ type: TenantDto, isArray: true })
  async list(): Promise<{ data: TenantDto[] }> {
    return { data: (await this.tenants.list()).map(TenantDto.from) };
  }

  @Get(':tenant_id')
  @ApiOkResponse({ type: TenantDto })
  async get(@Param('tenant_id') tenantId: string): Promise<TenantDto> {
    return TenantDto.from(await this.tenants.get(tenantId));
  }

  @Patch(':tenant_id')
  @ApiOperation({ summary: 'Rename, suspend/reactivate, or change settings; takes effect on every replica' })
  @ApiOkResponse({ type: TenantDto })
  async update(@Param('tenant_id') tenantId: string, @Body() body: UpdateTenantDto): Promise<TenantDto> {
    return TenantDto.from(await this.tenants.update(tenantId, body));
  }
}
