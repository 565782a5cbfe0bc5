import { HttpException } from '@nestjs/common';
import { Command, CommandRunner } from 'nest-commander';
import { ReadinessService } from '../infrastructure/health/readiness.service.js';

@Command({ name: 'check', description: 'Validate the configuration and check that MongoDB and Redis answer' })
export class CheckCommand extends CommandRunner {
  constructor(private readonly readiness: ReadinessService) {
    super();
  }

  async run(): Promise<void> {
    try {
      process.stdout.write(`${JSON.stringify(await this.readiness.check())}\n`);
    } catch (error) {
      const report = error instanceof HttpException ? error.getResponse() : String(error);
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exitCode = 1;
    }
  }
}
