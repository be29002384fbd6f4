import { MONITORING_ALERTS_CHANNEL, type EventBus } from '@maas/db';
import { signalStream, type SignalQueue } from '../../common/signal-queue';
import type { AuthInfo } from '../auth/auth.service';
import type { MonitoringAlertEvent, MonitoringService } from './monitoring.service';
import type { MonitoringAlert } from './monitoring.types';

function parseEvent(payload: unknown): MonitoringAlertEvent | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Record<string, unknown>;
  return typeof p.workspaceId === 'string' &&
    typeof p.deploymentId === 'string' &&
    typeof p.alertId === 'string'
    ? { workspaceId: p.workspaceId, deploymentId: p.deploymentId, alertId: p.alertId }
    : null;
}

/**
 * `monitoringAlerts(deployment)`, fed by LISTEN/NOTIFY: each alert raised on the deployment from
 * the moment of subscribing, on whichever replica's checker raised it. Never completes.
 */
export class MonitoringEventsService {
  constructor(
    private readonly bus: EventBus,
    private readonly monitoring: MonitoringService,
  ) {}

  alerts(auth: AuthInfo, deployment: string): AsyncGenerator<MonitoringAlert> {
    return signalStream<string, MonitoringAlert>((queue) =>
      this.alertStream(auth, deployment, queue),
    );
  }

  private async *alertStream(
    auth: AuthInfo,
    deployment: string,
    queue: SignalQueue<string>,
  ): AsyncGenerator<MonitoringAlert> {
    const deploymentId = await this.monitoring.deploymentId(auth, deployment);
    const unsubscribe = await this.bus.subscribe(MONITORING_ALERTS_CHANNEL, (payload) => {
      const event = parseEvent(payload);
      if (event && event.workspaceId === auth.workspaceId && event.deploymentId === deploymentId)
        queue.push(event.alertId);
    });
    try {
      for (;;) {
        for (const id of await queue.next()) {
          const alert = await this.monitoring.alert(auth.workspaceId, id);
          if (alert) yield alert;
        }
      }
    } finally {
      await unsubscribe();
    }
  }
}
