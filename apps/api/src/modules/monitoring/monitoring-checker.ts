import type { Logger } from '../../common/logger';
import { PeriodicTask } from '../../common/periodic-task';
import type { MonitoringService } from './monitoring.service';

/**
 * Checks the deployments' monitoring thresholds every MONITORING_CHECK_INTERVAL_MS on every API
 * replica; a deployment is claimed by one replica per interval (MonitoringService.check). A pass
 * resolves to the alerts it raised.
 */
export class MonitoringChecker extends PeriodicTask<number> {
  constructor(
    private readonly monitoring: MonitoringService,
    logger: Logger,
    private readonly everyMs: number,
  ) {
    super({ logger, everyMs, idle: () => 0, failure: 'monitoring check failed' });
  }

  protected pass(): Promise<number> {
    // A little under the interval, so a replica's next tick finds its own claims due.
    return this.monitoring.check((this.everyMs * 0.9) / 1000);
  }
}
