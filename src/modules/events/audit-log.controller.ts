import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireUser } from '../../infrastructure/auth/require-user.guard.js';
import { AuditLogService } from './audit-log.service.js';
import { AuditLogPageDto, AuditLogQueryDto, EventEnvelopeDto } from './dto/audit-log.dto.js';

@ApiTags('audit log')
@Controller('events')
export class AuditLogController {
  constructor(private readonly auditLog: AuditLogService) {}

  @Get()
  @RequireUser('owner')
  @ApiOperation({ summary: "The tenant's events as delivered, newest first (who did what: user_id, metadata)" })
  @ApiOkResponse({ type: AuditLogPageDto })
  async list(@Query() query: AuditLogQueryDto): Promise<AuditLogPageDto> {
    const page = await this.auditLog.page({
      type: query.type,
      entityId: query.entity_id,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      cursor: query.cursor,
      limit: query.limit,
    });
    return { data: page.items.map(EventEnvelopeDto.from), next_cursor: page.next_cursor };
  }
}
