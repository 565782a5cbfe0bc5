import { HttpStatus, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import {
  type HealthCheckResult,
  HealthCheckService,
  HealthIndicatorService,
  MongooseHealthIndicator,
} from '@nestjs/terminus';
import { MongoAvailability } from '../database/mongo-availability.js';
import { ApiError } from '../http/api-error.js';
import { ErrorCode } from '../http/error-codes.js';
import { RedisHealthIndicator } from './redis.health.js';

/** Whether the stores this process depends on answer; used by `/health/ready` and the CLI. */
@Injectable()
export class ReadinessService {
  private readonly logger = new Logger(ReadinessService.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly mongo: MongooseHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly mongoAvailability: MongoAvailability,
  ) {}

  /**
   * Resolves with every dependency's status, or throws a 503 whose details name each store that is
   * down: its name only, because the probe is public and error text carries hosts and addresses.
   * The operator finds the cause in the log.
   */
  async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.mongoCheck(), () => this.redis.pingCheck('redis')]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const result = error.getResponse() as HealthCheckResult;
      const causes = Object.entries(result.error ?? {}).map(([field, status]) => ({
        field,
        cause: String(status?.message ?? status?.status ?? 'down'),
      }));
      this.logger.warn({ msg: 'not ready', down: causes });
      const down = causes.map(({ field }) => ({ field, message: 'does not answer' }));
      const names = down.map((entry) => entry.field).join(', ');
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, ErrorCode.NotReady, `Unavailable: ${names}`, down);
    }
  }

  /**
   * MongoDB answers a ping within 1.5 s; while the driver already knows it is unreachable the probe
   * fails at once (its heartbeat, every second, is what says when it is back).
   */
  private mongoCheck() {
    if (this.mongoAvailability.isUnreachable()) {
      return this.indicators
        .check('mongodb')
        .down({ message: 'known unreachable (no server can serve, or new connections are refused)' });
    }
    return this.mongo.pingCheck('mongodb', { timeout: 1_500 });
  }
}
