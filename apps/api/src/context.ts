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
  /**
   * Aborts when the caller goes away (its HTTP connection closed before the answer was sent, or
   * its WebSocket closed): long operations (generate, embed) stop and free what they hold.
   */
  signal: AbortSignal;
}

export function createContext(
  services: Services,
  auth: AuthInfo,
  signal: AbortSignal,
): GraphQLContext {
  return {
    auth,
    signal,
    services,
    loaders: createModelLoaders(services.db, auth.workspaceId),
    workspaceUsage: services.quotas.usageLoader(),
  };
}
