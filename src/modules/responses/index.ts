/** The responses module's public surface: the rest of src/ imports it from here, and only from here. */
export { ResponsesModule } from './responses.module.js';
export { type ErasedResponse, ResponsesService } from './responses.service.js';
export { ResponseDto } from './dto/response.dto.js';
export type { ResponseRecord, SubmittedRange } from './responses.repository.js';
