/** The users module's public surface: the rest of src/ imports it from here, and only from here. */
export { UsersModule } from './users.module.js';
export { normalizeEmail, type SignedIn, UsersService } from './users.service.js';
export { MembersService } from './members.service.js';
export { PasswordResetService } from './password-reset.service.js';
export { SessionsService } from './sessions.service.js';
export type { UserRecord } from './users.repository.js';
/** What other modules may show of a member: the same shapes the users endpoints answer with. */
export { RegisteredDto, UserDto } from './dto/user.dto.js';
