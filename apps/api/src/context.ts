import type { AuthInfo } from './modules/auth/auth.service';
import type { Services } from './services';
import { createModelLoaders, type ModelLoaders } from './modules/models/models.loaders';

/** What every resolver gets: the caller, the services, and per-request batch loaders. */
export interface GraphQLContext {
  auth: AuthInfo;
  services: Services;
  loaders: ModelLoaders;
}

export function createContext(services: Services, auth: AuthInfo): GraphQLContext {
  return { auth, services, loaders: createModelLoaders(services.db, auth.workspaceId) };
}
