import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsOmittable } from './is-omittable.js';

/** `?limit=&cursor=` of every list endpoint; unknown query keys (`status[$ne]`…) are refused. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOmittable()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOmittable()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
