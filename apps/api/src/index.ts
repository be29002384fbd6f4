export {
  createApiServer,
  formatGraphQLError,
  type ApiServer,
  type ApiServerOptions,
} from './server';
export { buildApiSchema } from './schema';
export { loadConfig, type ApiConfig } from './env';
export { hashSecret } from './modules/auth/auth.service';
