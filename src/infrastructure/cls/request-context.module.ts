import { randomUUID } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';

/**
 * Request-scoped context (AsyncLocalStorage). Mounted as middleware so guards, interceptors, pipes
 * and filters all run inside it; its id is Fastify's request id, so every log line of a request
 * carries the same `reqId`.
 */
@Global()
@Module({
  imports: [
    ClsModule.forRoot({
      global: true,
      middleware: {
        mount: true,
        generateId: true,
        idGenerator: (request: { id?: string }) => request.id ?? randomUUID(),
      },
    }),
  ],
})
export class RequestContextModule {}
