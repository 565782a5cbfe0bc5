import { ApiProperty } from '@nestjs/swagger';
import type { FileRecord } from '../files.repository.js';

export class FileDto {
  @ApiProperty({ example: '665f1c2e9b1d8a0012345678' }) file_id!: string;
  @ApiProperty({ example: 'cv.pdf' }) filename!: string;
  @ApiProperty({ example: 'application/pdf' }) content_type!: string;
  @ApiProperty({ example: 48213 }) size!: number;

  static from(file: FileRecord): FileDto {
    return {
      file_id: file._id.toHexString(),
      filename: file.filename,
      content_type: file.content_type,
      size: file.size,
    };
  }
}
