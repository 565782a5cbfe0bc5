import { IntVar } from './environment-decorators.js';

/**
 * The API keys' variables, a base of `Environment` (which holds the rest): kept apart so that file
 * stays within its size.
 */
export class ApiKeyEnvironment {
  /** Requests per API key per minute, whatever the route (`429 rate_limited` beyond). */
  @IntVar({ min: 1 })
  API_KEY_REQUESTS_PER_MINUTE = 600;
}
