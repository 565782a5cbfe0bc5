/** What other modules may show of a member: the same shapes the users endpoints answer with. */
export { RegisteredDto, UserDto } from './dto/user.dto.js';
export type { UserRecord } from './users.repository.js';
