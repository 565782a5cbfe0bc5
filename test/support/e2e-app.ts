import type { INestApplicationContext, Type } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Connection } from 'mongoose';
import supertest from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { AppConfigService } from '../../src/infrastructure/config/app-config.service.js';
import { configureHttpApp, createFastifyAdapter } from '../../src/infrastructure/http/http-app.js';
import { AppLogger } from '../../src/infrastructure/logging/app-logger.js';
import { createRootLogger } from '../../src/infrastructure/logging/root-logger.js';

export interface E2eApp {
  app: NestFastifyApplication;
  http: ReturnType<typeof supertest>;
  close(): Promise<void>;
}

/**
 * Boots the whole API exactly as `main.ts` does, on the environment `useTestEnvironment` set.
 * `extraControllers` lets a test add probe endpoints that run behind the same global guards.
 */
export async function createE2eApp(extraControllers: Type[] = []): Promise<E2eApp> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule], controllers: extraControllers }).compile();
  const logger = createRootLogger(process.env.LOG_LEVEL ?? 'silent', 'api');
  const { bodyLimitBytes, trustProxy } = moduleRef.get(AppConfigService).http;
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createFastifyAdapter(logger, { bodyLimitBytes, trustProxy }),
    {
      logger: new AppLogger(logger),
    },
  );
  await configureHttpApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: supertest(app.getHttpServer()),
    close: async () => {
      await dropDatabase(app);
      await app.close();
    },
  };
}

export async function dropDatabase(context: INestApplicationContext): Promise<void> {
  const connection = context.get<Connection>(getConnectionToken());
  if (connection.readyState === 1) await connection.dropDatabase();
}
