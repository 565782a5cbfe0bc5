/** The API keys module's public surface: the rest of src/ imports it from here, and only from here. */
export { ApiKeysModule } from './api-keys.module.js';
export { type ApiKeyCaller, ApiKeyVerifier } from './api-key-verifier.js';
export { ApiKeySecret } from './api-key-secret.js';
