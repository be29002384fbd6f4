import type { Logger } from '../../common/logger';
import type { MonitoringService } from './monitoring.service';

/**
 * Checks the deployments' monitoring thresholds every MONITORING_CHECK_INTERVAL_MS on every API
 * replica; a deployment is claimed by one replica per interval (MonitoringService.check). One
 * pass at a time per replica; `stop` waits for the one running.
 */
export class MonitoringChecker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> = Promise.resolve(0);
  private stopping = false;

  constructor(
    private readonly monitoring: MonitoringService,
    private readonly logger: Logger,
    private readonly everyMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
  }

  /** One pass (after the one in progress, if any); resolves to the alerts it raised. */
  tick(): Promise<number> {
    this.running = this.running.then(async () => {
      if (this.stopping) return 0;
      try {
        // A little under the interval, so a replica's next tick finds its own claims due.
        return await this.monitoring.check((this.everyMs * 0.9) / 1000);
      } catch (err) {
        this.logger.warn({ err }, 'monitoring check failed');
        return 0;
      }
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
  }
}
