import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { rememberClientRequestId } from './request-ids.js';

/**
 * Request-scoped context (AsyncLocalStorage). Mounted as middleware so guards, interceptors, pipes
 * and filters all run inside it; its id is Fastify's request id, so every log line of a request
 * carries the same `reqId`. A caller's own `X-Request-ID` is kept beside it (see `request-ids.ts`).
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
        setup: (_cls, request: IncomingMessage) => rememberClientRequestId(request.headers),
      },
    }),
  ],
})
export class RequestContextModule {}
