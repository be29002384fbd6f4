import type DataLoader from 'dataloader';
import type { AuthInfo } from './modules/auth/auth.service';
import type { Services } from './services';
import type { WorkspaceUsage } from './modules/quotas/quotas.types';
import { createModelLoaders, type ModelLoaders } from './modules/models/models.loaders';

/** What every resolver gets: the caller, the services, and per-request batch loaders. */
export interface GraphQLContext {
  auth: AuthInfo;
  services: Services;
  loaders: ModelLoaders;
  /** `Workspace.usage` of every workspace in the answer, in one batch. */
  workspaceUsage: DataLoader<string, WorkspaceUsage>;
}

export function createContext(services: Services, auth: AuthInfo): GraphQLContext {
  return {
    auth,
    services,
    loaders: createModelLoaders(services.db, auth.workspaceId),
    workspaceUsage: services.quotas.usageLoader(),
  };
}
