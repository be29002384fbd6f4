import type { DataSource } from 'typeorm';
import { badInput, notFound } from '../../common/errors';
import { SharedPolls } from '../../common/shared-poll';
import type { AuthInfo } from '../auth/auth.service';
import { quantile, readDeploymentStats, type StatsSums } from '../predictions/serving-stats';
import type { DeploymentsService } from './deployments.service';
import type { Deployment, DeploymentStats, VersionServingStats } from './deployments.types';

const PUSH_EVERY_MS = 2000;

function checkWindow(windowSeconds: number): void {
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 86_400) {
    throw badInput('"windowSeconds" must be between 1 and 86400', { field: 'windowSeconds' });
  }
}

/** The numbers of a deployment or one of its versions, from its sums over the window. */
function servingStats(sums: StatsSums, windowSeconds: number): VersionServingStats {
  return {
    requests: sums.requests,
    errors: sums.errors,
    p50Ms: quantile(sums.histogram, 0.5),
    p99Ms: quantile(sums.histogram, 0.99),
    promptTokens: sums.promptTokens,
    completionTokens: sums.completionTokens,
    tokensPerSecond: sums.completionTokens / windowSeconds,
    timeToFirstTokenP50Ms: quantile(sums.ttftHistogram, 0.5),
    timeToFirstTokenP99Ms: quantile(sums.ttftHistogram, 0.99),
  };
}

/**
 * `deploymentStats` and its subscription, from the samples every replica writes. The
 * subscription polls once per (deployment, window) on this replica, however many subscribers.
 */
export class DeploymentStatsService {
  private readonly polls: SharedPolls<DeploymentStats>;

  constructor(
    private readonly db: DataSource,
    private readonly deployments: DeploymentsService,
    /** Called once per subscription poll (the `maas_deployment_stats_polls_total` metric). */
    onPoll?: () => void,
  ) {
    this.polls = new SharedPolls(PUSH_EVERY_MS, onPoll);
  }

  async get(auth: AuthInfo, name: string, windowSeconds: number): Promise<DeploymentStats> {
    checkWindow(windowSeconds);
    return this.compute(await this.deployments.get(auth, name), windowSeconds);
  }

  private async compute(deployment: Deployment, windowSeconds: number): Promise<DeploymentStats> {
    const raw = await readDeploymentStats(this.db, deployment.id, windowSeconds);
    const versionNumbers = new Map<string, number>();
    if (raw.byVersion.size > 0) {
      const rows = await this.db.query<{ id: string; version: number }[]>(
        'SELECT id, version FROM model_versions WHERE id = ANY($1)',
        [[...raw.byVersion.keys()]],
      );
      for (const r of rows) versionNumbers.set(r.id, r.version);
    }
    const byVersion: DeploymentStats['byVersion'] = {};
    for (const [versionId, v] of raw.byVersion)
      byVersion[String(versionNumbers.get(versionId) ?? versionId)] = servingStats(
        v,
        windowSeconds,
      );
    const { requests, errors, ...totals } = servingStats(raw, windowSeconds);
    return {
      deployment,
      windowSeconds,
      requests,
      errors,
      requestsPerSecond: requests / windowSeconds,
      ...totals,
      byVersion,
      at: new Date(),
    };
  }

  /**
   * The stats now, then every couple of seconds until the client unsubscribes. The caller's key
   * must see the deployment; the poll is shared by every subscriber of the same deployment and
   * window (all in its workspace), and re-reads the deployment each time (routes change; a
   * deleted one ends the subscriptions with NOT_FOUND).
   */
  async stream(
    auth: AuthInfo,
    name: string,
    windowSeconds: number,
  ): Promise<AsyncIterableIterator<DeploymentStats>> {
    checkWindow(windowSeconds);
    const deployment = await this.deployments.get(auth, name);
    return this.polls.join(`${deployment.id}:${windowSeconds}`, async () => {
      const current = await this.deployments.find(auth, name);
      if (current?.id !== deployment.id) throw notFound(`Deployment "${name}" does not exist`);
      return this.compute(current, windowSeconds);
    });
  }
}
