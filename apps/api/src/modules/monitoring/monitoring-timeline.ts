import type { DataSource } from 'typeorm';
import type { TimelineEntry, TimelineSource } from '../retraining/timeline.service';

/**
 * Monitoring alerts on a model's timeline (kind `monitoring.<alert kind>`, e.g.
 * `monitoring.inputDrift`): those of the model's deployments, newest first, at most `first`.
 */
export class MonitoringTimelineSource implements TimelineSource {
  constructor(private readonly db: DataSource) {}

  async events(workspaceId: string, modelId: string, first: number): Promise<TimelineEntry[]> {
    const rows = await this.db.query<
      { at: Date; kind: string; message: string; version_id: string | null; name: string }[]
    >(
      `SELECT a.at, a.kind, a.message, a.version_id, d.name
         FROM monitoring_alerts a JOIN deployments d ON d.id = a.deployment_id
        WHERE d.model_id = $1 AND d.workspace_id = $2 AND a.workspace_id = $2
        ORDER BY a.at DESC LIMIT $3`,
      [modelId, workspaceId, first],
    );
    return rows.map((r) => ({
      at: new Date(r.at),
      kind: `monitoring.${r.kind}`,
      message: `Deployment "${r.name}": ${r.message}`,
      versionId: r.version_id,
    }));
  }
}
