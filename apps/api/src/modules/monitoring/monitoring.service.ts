import {
  Dataset,
  Deployment as DeploymentRow,
  DeploymentRoute as RouteRow,
  MONITORING_ALERTS_CHANNEL,
  ModelVersion,
  MonitoringAlert as AlertRow,
  type ArtifactStore,
  type DataProfileRecord,
  type EventBus,
  type MonitoringThresholdsRecord,
} from '@maas/db';
import {
  DatasetError,
  TrainingError,
  decodeColumns,
  inputProfile,
  modelInputFromDataset,
} from '@maas/training';
import { In, type DataSource } from 'typeorm';
import { audit } from '../../common/audit';
import { badInput, notFound } from '../../common/errors';
import { assertId } from '../../common/scalars';
import { requireRole, type AuthInfo } from '../auth/auth.service';
import type { DeploymentsService } from '../deployments/deployments.service';
import type { Deployment } from '../deployments/deployments.types';
import { readAll } from '../explanations/reference-data';
import { checkFigures } from './monitoring-checks';
import { combineFigures, type CellFigures } from './monitoring-figures';
import {
  checkThresholds,
  checkWindow,
  MAX_LISTED_ALERTS,
  MIN_DRIFT_SAMPLES,
  type ThresholdArgs,
} from './monitoring-limits';
import {
  readDriftCounts,
  readFeedback,
  readLoggedVersions,
  readStatsCells,
  type ReadWindow,
} from './monitoring-reads';
import type { DeploymentMonitoring, MonitoringAlert } from './monitoring.types';
import { onlineMetrics } from './online-metrics';

/** Deployments one checker tick claims at most. */
const CHECK_BATCH = 20;

/** What a monitoring alert event carries on MONITORING_ALERTS_CHANNEL. */
export interface MonitoringAlertEvent {
  workspaceId: string;
  deploymentId: string;
  alertId: string;
}

export const mapAlert = (r: AlertRow): MonitoringAlert => ({
  id: r.id,
  at: r.at,
  kind: r.kind,
  feature: r.feature === '' ? null : r.feature,
  message: r.message,
  value: r.value,
  threshold: r.threshold,
  resolvedAt: r.resolvedAt,
  workspaceId: r.workspaceId,
  deploymentId: r.deploymentId,
  versionId: r.versionId,
});

type MonitoredDeployment = Pick<DeploymentRow, 'id' | 'workspaceId' | 'name' | 'referenceProfile'>;

/**
 * Monitoring and drift (docs/api.md, "Monitoring"): a deployment's traffic, online metrics from
 * feedback and the drift of its logged inputs and predictions against each version's reference
 * bins (its training profile, else the deployment's reference dataset), per time bucket; the
 * thresholds, and the checker that raises alerts when they are crossed. Also the drift reader of
 * retraining policies (`maxInputDrift`).
 */
export class MonitoringService {
  constructor(
    private readonly db: DataSource,
    private readonly bus: EventBus,
    private readonly store: ArtifactStore,
    private readonly deployments: DeploymentsService,
  ) {}

  private async deployment(auth: AuthInfo, name: string): Promise<DeploymentRow> {
    const row = await this.db
      .getRepository(DeploymentRow)
      .findOne({ where: { workspaceId: auth.workspaceId, name } });
    if (!row) throw notFound(`Deployment "${name}" does not exist`);
    return row;
  }

  /** deploymentMonitoring: the window's figures per bucket and version, and its alerts. */
  async monitoring(
    auth: AuthInfo,
    name: string,
    windowSeconds: number,
    bucketSeconds: number,
  ): Promise<DeploymentMonitoring> {
    requireRole(auth, 'VIEWER');
    checkWindow(windowSeconds, bucketSeconds);
    const row = await this.deployment(auth, name);
    const since = await this.since(windowSeconds);
    const { figures, sampled } = await this.figures(row, since, bucketSeconds);
    const alerts = await this.db.query<{ id: string }[]>(
      `SELECT id FROM monitoring_alerts
        WHERE deployment_id = $1 AND workspace_id = $2 AND (at > $3 OR resolved_at IS NULL)
        ORDER BY at DESC, id LIMIT $4`,
      [row.id, auth.workspaceId, since, MAX_LISTED_ALERTS],
    );
    const alertRows = alerts.length
      ? await this.db.getRepository(AlertRow).find({ where: { id: In(alerts.map((a) => a.id)) } })
      : [];
    alertRows.sort((a, b) => b.at.getTime() - a.at.getTime() || a.id.localeCompare(b.id));
    return {
      deploymentName: row.name,
      windowSeconds,
      bucketSeconds,
      sampled,
      buckets: figures.map((f) => ({
        start: new Date(f.bucket * bucketSeconds * 1000),
        versionId: f.versionId,
        requests: f.requests,
        errors: f.errors,
        latencyP50Ms: f.latencyP50Ms,
        latencyP99Ms: f.latencyP99Ms,
        feedbackCount: f.feedbackCount,
        onlineMetrics: f.onlineMetrics,
        inputDrift: f.inputDrift,
        predictionDrift: f.predictionDrift,
        driftSamples: f.driftSamples,
      })),
      alerts: alertRows.map(mapAlert),
    };
  }

  /**
   * The largest input-feature PSI of a deployment's logged predictions since `since` (all that
   * the log keeps when null; the most recent MAX_MONITORED_PREDICTIONS at most), of any version
   * with at least `minSamples` logged records (MIN_DRIFT_SAMPLES); null when none has (too few
   * logged, or no reference bins). Retraining's drift trigger reads it (InputDriftReader).
   */
  async maxInputDrift(
    workspaceId: string,
    deploymentId: string,
    since: Date | null,
    minSamples = MIN_DRIFT_SAMPLES,
  ): Promise<number | null> {
    const row = await this.db
      .getRepository(DeploymentRow)
      .findOne({ where: { id: deploymentId, workspaceId } });
    if (!row) return null;
    const { figures } = await this.figures(row, since ?? new Date(0), Infinity);
    let max: number | null = null;
    for (const f of figures) {
      if (f.driftSamples < minSamples) continue;
      for (const d of f.inputDrift) if (max === null || d.psi > max) max = d.psi;
    }
    return max;
  }

  /**
   * The online metrics of one version of a deployment from the feedback on its predictions
   * logged since `since` (`{mae, rmse}` or `{accuracy, logLoss}`), or null without feedback: what
   * a promotion step's `onlineMetrics` can show.
   */
  async onlineMetrics(
    workspaceId: string,
    deploymentId: string,
    versionId: string,
    since: Date,
  ): Promise<Record<string, number> | null> {
    const row = await this.db
      .getRepository(DeploymentRow)
      .findOne({ where: { id: deploymentId, workspaceId } });
    if (!row) return null;
    const version = await this.db.getRepository(ModelVersion).findOne({
      where: { id: versionId, workspaceId },
      select: { id: true, signature: true },
    });
    if (!version) return null;
    // The feedback read only (a promotion's tick calls this every few seconds): the same pairs
    // and metric functions as deploymentMonitoring's one-bucket figures, without the drift.
    const { pairs } = await readFeedback(this.db, {
      workspaceId,
      deploymentId: row.id,
      since,
      bucketSeconds: Infinity,
    });
    const labels = Array.isArray(version.signature.labels) ? version.signature.labels : null;
    const mine = pairs.filter((p) => p.versionId === versionId);
    return onlineMetrics({ labels }, mine)?.metrics ?? null;
  }

  /** The database's now minus `seconds`: the log's timestamps are the database's. */
  private async since(seconds: number): Promise<Date> {
    const [row] = await this.db.query<{ since: Date }[]>(
      `SELECT now() - make_interval(secs => $1) AS since`,
      [seconds],
    );
    if (!row) throw new Error('no answer to SELECT now()');
    return new Date(row.since);
  }

  private async figures(
    row: MonitoredDeployment,
    since: Date,
    bucketSeconds: number,
  ): Promise<{ figures: CellFigures[]; sampled: boolean }> {
    const w: ReadWindow = {
      workspaceId: row.workspaceId,
      deploymentId: row.id,
      since,
      bucketSeconds,
    };
    const stats = await readStatsCells(this.db, w);
    const logged = await readLoggedVersions(this.db, w);
    const versionIds = [...new Set([...logged, ...[...stats.values()].map((c) => c.versionId)])];
    const versions = versionIds.length
      ? await this.db.getRepository(ModelVersion).find({
          where: { id: In(versionIds), workspaceId: row.workspaceId },
          select: { id: true, signature: true, trainingProfile: true },
        })
      : [];
    const profiles = new Map<string, DataProfileRecord>();
    const binned = new Map<string, { profile: DataProfileRecord; inputName: string | null }>();
    const labels = new Map<string, string[] | null>();
    for (const v of versions) {
      labels.set(v.id, Array.isArray(v.signature.labels) ? v.signature.labels : null);
      const profile = v.trainingProfile ?? row.referenceProfile;
      if (!profile) continue;
      profiles.set(v.id, profile);
      const inputName =
        v.signature.features && v.signature.inputs[0] ? v.signature.inputs[0].name : null;
      binned.set(v.id, { profile, inputName });
    }
    const drift = await readDriftCounts(this.db, w, binned);
    const feedback = await readFeedback(this.db, w);
    const figures = combineFigures({
      stats,
      drift: drift.cells,
      feedbackCounts: feedback.counts,
      pairs: feedback.pairs,
      profiles,
      scoring: (id) => ({ labels: labels.get(id) ?? null }),
    });
    return { figures, sampled: drift.sampled || feedback.sampled };
  }

  /** setMonitoringThresholds (EDITOR): checked, stored, audited; the next check runs soon. */
  async setThresholds(auth: AuthInfo, name: string, args: ThresholdArgs): Promise<Deployment> {
    requireRole(auth, 'EDITOR');
    const thresholds = checkThresholds(args);
    await this.updateDeployment(auth, name, 'deployment.monitoring', { thresholds }, (row) => {
      row.monitoringThresholds = thresholds;
      row.monitoringCheckedAt = null;
    });
    return this.deployments.get(auth, name);
  }

  /** clearMonitoringThresholds (EDITOR): no more checks; open alerts stay as they are. */
  async clearThresholds(auth: AuthInfo, name: string): Promise<Deployment> {
    requireRole(auth, 'EDITOR');
    await this.updateDeployment(
      auth,
      name,
      'deployment.monitoring',
      { thresholds: null },
      (row) => {
        row.monitoringThresholds = null;
      },
    );
    return this.deployments.get(auth, name);
  }

  /**
   * setDeploymentReference (EDITOR): the dataset whose rows the drift of versions without a
   * training profile (uploaded ones) is measured against; its bins are computed now, over the
   * features of the deployment's tabular versions. `datasetId` null removes it.
   */
  async setReference(auth: AuthInfo, name: string, datasetId: string | null): Promise<Deployment> {
    requireRole(auth, 'EDITOR');
    let profile: DataProfileRecord | null = null;
    if (datasetId !== null) {
      assertId(datasetId, 'datasetId');
      const row = await this.deployment(auth, name);
      const dataset = await this.db
        .getRepository(Dataset)
        .findOne({ where: { id: datasetId, workspaceId: auth.workspaceId } });
      if (!dataset || dataset.deletedAt) throw notFound(`Dataset ${datasetId} does not exist`);
      profile = await this.referenceProfile(row, dataset);
    }
    await this.updateDeployment(
      auth,
      name,
      'deployment.reference',
      { datasetId, rows: profile?.rows ?? null },
      (row) => {
        row.referenceDatasetId = datasetId;
        row.referenceProfile = profile;
      },
    );
    return this.deployments.get(auth, name);
  }

  private async referenceProfile(row: DeploymentRow, dataset: Dataset): Promise<DataProfileRecord> {
    const routes = await this.db.getRepository(RouteRow).find({ where: { deploymentId: row.id } });
    const versions = routes.length
      ? await this.db.getRepository(ModelVersion).find({
          where: { id: In(routes.map((r) => r.versionId)), workspaceId: row.workspaceId },
          order: { version: 'DESC' },
        })
      : [];
    const tabular = versions.find((v) => Array.isArray(v.signature.features));
    const names = tabular?.signature.features;
    if (!tabular || !names)
      throw badInput(
        `Deployment "${row.name}" routes to no tabular version (one whose signature lists features): a reference dataset has nothing to profile`,
        { field: 'name' },
      );
    const categories = tabular.signature.categories ?? {};
    const features = names.map((feature) => {
      const cats = categories[feature];
      return cats
        ? { name: feature, type: 'categorical' as const, categories: cats, offset: 0, scale: 1 }
        : { name: feature, type: 'numeric' as const, offset: 0, scale: 1 };
    });
    try {
      const columns = decodeColumns(await readAll(this.store, dataset.columnsSha256));
      const input = modelInputFromDataset({ features }, columns);
      return {
        formatVersion: 1,
        rows: columns.rowCount,
        features: inputProfile(features, input),
        // The reference dataset's predictions are not computed: prediction drift stays unknown.
        prediction: null,
      };
    } catch (err) {
      if (err instanceof TrainingError || err instanceof DatasetError)
        throw badInput(`Dataset "${dataset.name}" cannot be a reference: ${err.message}`, {
          field: 'datasetId',
        });
      throw err;
    }
  }

  private async updateDeployment(
    auth: AuthInfo,
    name: string,
    action: string,
    details: Record<string, unknown>,
    change: (row: DeploymentRow) => void,
  ): Promise<void> {
    await this.db.transaction(async (m) => {
      const row = await m.getRepository(DeploymentRow).findOne({
        where: { workspaceId: auth.workspaceId, name },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) throw notFound(`Deployment "${name}" does not exist`);
      change(row);
      row.updatedAt = new Date();
      await m.save(row);
      await audit(m, auth, auth.workspaceId, action, 'deployment', row.id, details);
    });
  }

  /** An alert of the workspace by id (subscriptions re-read what an event names). */
  async alert(workspaceId: string, id: string): Promise<MonitoringAlert | null> {
    const row = await this.db.getRepository(AlertRow).findOne({ where: { id, workspaceId } });
    return row ? mapAlert(row) : null;
  }

  /** The workspace's deployment id of `name` (NOT_FOUND otherwise). */
  async deploymentId(auth: AuthInfo, name: string): Promise<string> {
    requireRole(auth, 'VIEWER');
    return (await this.deployment(auth, name)).id;
  }

  /**
   * One checker pass: claims the deployments with thresholds not checked for `intervalSeconds`
   * (FOR UPDATE SKIP LOCKED, then the claim time moves: replicas never check one twice in an
   * interval), compares each one's last window with its thresholds, raises the crossings that
   * have no open alert (the partial unique index decides among racing replicas) and resolves the
   * open alerts whose figure is back within its limit. Returns the alerts raised.
   */
  async check(intervalSeconds: number): Promise<number> {
    const claimed = await this.db.query<
      {
        id: string;
        workspace_id: string;
        name: string;
        monitoring_thresholds: MonitoringThresholdsRecord;
        reference_profile: DataProfileRecord | null;
      }[]
    >(
      `UPDATE deployments d SET monitoring_checked_at = now()
        WHERE d.id IN (
          SELECT id FROM deployments
           WHERE monitoring_thresholds IS NOT NULL
             AND (monitoring_checked_at IS NULL
                  OR monitoring_checked_at <= now() - make_interval(secs => $1))
           ORDER BY monitoring_checked_at NULLS FIRST LIMIT $2
           FOR UPDATE SKIP LOCKED)
        RETURNING d.id, d.workspace_id, d.name, d.monitoring_thresholds, d.reference_profile`,
      [intervalSeconds, CHECK_BATCH],
    );
    // TypeORM answers an UPDATE ... RETURNING with [rows, count].
    const rows = Array.isArray(claimed[0]) ? (claimed[0] as unknown as typeof claimed) : claimed;
    let raised = 0;
    for (const d of rows) {
      raised += await this.checkDeployment(
        {
          id: d.id,
          workspaceId: d.workspace_id,
          name: d.name,
          referenceProfile: d.reference_profile,
        },
        d.monitoring_thresholds,
      );
    }
    return raised;
  }

  private async checkDeployment(
    row: MonitoredDeployment,
    thresholds: MonitoringThresholdsRecord,
  ): Promise<number> {
    const since = await this.since(thresholds.windowSeconds);
    const { figures } = await this.figures(row, since, Infinity);
    const numbers = new Map(
      (
        await this.db.getRepository(ModelVersion).find({
          where: { id: In([...new Set(figures.map((f) => f.versionId))]) },
          select: { id: true, version: true },
        })
      ).map((v) => [v.id, v.version]),
    );
    const { crossed, withinLimits } = checkFigures(thresholds, figures, (id) =>
      numbers.has(id) ? `version ${numbers.get(id)}` : 'a deleted version',
    );
    let raised = 0;
    for (const c of crossed) {
      await this.db.transaction(async (m) => {
        const inserted = await m.query<{ id: string }[]>(
          `INSERT INTO monitoring_alerts
             (workspace_id, deployment_id, version_id, kind, feature, message, value, threshold)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT (deployment_id, kind, feature) WHERE resolved_at IS NULL DO NOTHING
           RETURNING id`,
          [
            row.workspaceId,
            row.id,
            c.versionId,
            c.kind,
            c.feature,
            c.message,
            c.value,
            c.threshold,
          ],
        );
        const alert = inserted[0];
        if (!alert) return;
        raised++;
        const event: MonitoringAlertEvent = {
          workspaceId: row.workspaceId,
          deploymentId: row.id,
          alertId: alert.id,
        };
        await this.bus.publish(MONITORING_ALERTS_CHANNEL, event, m);
      });
    }
    if (withinLimits.length > 0)
      await this.db.query(
        `UPDATE monitoring_alerts SET resolved_at = now()
          WHERE deployment_id = $1 AND resolved_at IS NULL
            AND kind || '|' || feature = ANY($2::text[])`,
        [row.id, withinLimits.map((k) => `${k.kind}|${k.feature}`)],
      );
    return raised;
  }
}
