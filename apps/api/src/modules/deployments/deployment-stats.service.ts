import type { DataSource } from 'typeorm';
import { badInput } from '../../common/errors';
import type { AuthInfo } from '../auth/auth.service';
import { quantile, readDeploymentStats } from '../predictions/serving-stats';
import type { DeploymentsService } from './deployments.service';
import type { DeploymentStats } from './deployments.types';

const PUSH_EVERY_MS = 2000;

/** `deploymentStats` and its subscription, from the samples every replica writes. */
export class DeploymentStatsService {
  constructor(
    private readonly db: DataSource,
    private readonly deployments: DeploymentsService,
  ) {}

  async get(auth: AuthInfo, name: string, windowSeconds: number): Promise<DeploymentStats> {
    if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 86_400) {
      throw badInput('"windowSeconds" must be between 1 and 86400', { field: 'windowSeconds' });
    }
    const deployment = await this.deployments.get(auth, name);
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
    for (const [versionId, v] of raw.byVersion) {
      byVersion[String(versionNumbers.get(versionId) ?? versionId)] = {
        requests: v.requests,
        errors: v.errors,
        p50Ms: quantile(v.histogram, 0.5),
        p99Ms: quantile(v.histogram, 0.99),
      };
    }
    return {
      deployment,
      windowSeconds,
      requests: raw.requests,
      errors: raw.errors,
      requestsPerSecond: raw.requests / windowSeconds,
      p50Ms: quantile(raw.histogram, 0.5),
      p99Ms: quantile(raw.histogram, 0.99),
      byVersion,
      at: new Date(),
    };
  }

  /** The stats now, then every couple of seconds until the client unsubscribes. */
  async *stream(
    auth: AuthInfo,
    name: string,
    windowSeconds: number,
  ): AsyncGenerator<DeploymentStats> {
    for (;;) {
      yield await this.get(auth, name, windowSeconds);
      await new Promise((resolve) => setTimeout(resolve, PUSH_EVERY_MS));
    }
  }
}
