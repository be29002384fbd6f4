export { createApiServer, type ApiServer, type ApiServerOptions } from './server';
export { formatGraphQLError } from './graphql/graphql-errors';
export { buildApiSchema } from './schema';
export { loadConfig, type ApiConfig } from './env';
export { engineIsolation } from './infrastructure';
export { hashSecret } from './modules/auth/auth.service';
export {
  LanguageModelError,
  type LanguageModelBackend,
  type GenerationEvent,
  type GenerationRequest,
} from './modules/language-models/language-model-backend';
