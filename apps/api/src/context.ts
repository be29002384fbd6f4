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

/**
 * A request's context. The loaders and the abort signal are made when a resolver first reads
 * them: most operations (a `predict`) read neither, and making them for every request (an
 * AbortController and its `close` listener, three DataLoaders) was ~4 % of the API's main thread
 * on GraphQL `predict` at c=64.
 */
class RequestContext implements GraphQLContext {
  // Plain properties, not #private ones: Apollo copies a context's own properties onto an object
  // of the same prototype for every operation (cloneObject), and #private slots would not follow.
  private madeLoaders: ModelLoaders | undefined = undefined;
  private madeWorkspaceUsage: DataLoader<string, WorkspaceUsage> | undefined = undefined;
  private madeSignal: AbortSignal | undefined = undefined;

  constructor(
    readonly services: Services,
    readonly auth: AuthInfo,
    private readonly makeSignal: () => AbortSignal,
  ) {}

  get loaders(): ModelLoaders {
    return (this.madeLoaders ??= createModelLoaders(this.services.db, this.auth.workspaceId));
  }

  get workspaceUsage(): DataLoader<string, WorkspaceUsage> {
    return (this.madeWorkspaceUsage ??= this.services.quotas.usageLoader());
  }

  get signal(): AbortSignal {
    return (this.madeSignal ??= this.makeSignal());
  }
}

/** `signal`: the caller's abort signal, or how to make it when first read. */
export function createContext(
  services: Services,
  auth: AuthInfo,
  signal: AbortSignal | (() => AbortSignal),
): GraphQLContext {
  return new RequestContext(services, auth, typeof signal === 'function' ? signal : () => signal);
}
