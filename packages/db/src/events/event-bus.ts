import { Client, type Notification } from 'pg';
import type { EntityManager } from 'typeorm';

/** Receives the JSON-decoded payload of a notification. */
export type EventHandler<T = unknown> = (payload: T, channel: string) => void | Promise<void>;

/** Options of {@link EventBus}. */
export interface EventBusOptions {
  /** `postgres://...`: a direct connection (a transaction-mode PgBouncer silently breaks LISTEN). */
  url: string;
  /** First reconnect delay; doubled per failed attempt up to `maxReconnectDelayMs`. Default 100. */
  minReconnectDelayMs?: number;
  /** Default 5000. */
  maxReconnectDelayMs?: number;
  /** Connection losses, failing handlers, undecodable payloads. Default: ignored. */
  onError?: (err: Error) => void;
  applicationName?: string;
}

/** Options of {@link EventBus.subscribe}. */
export interface SubscribeOptions {
  /** Called after the listener reconnected (notifications may have been missed): re-read state. */
  onReconnect?: () => void | Promise<void>;
}

/** The largest NOTIFY payload PostgreSQL accepts is 8000 bytes; stay under it. */
export const MAX_EVENT_PAYLOAD_BYTES = 7999;

const CHANNEL = /^[A-Za-z0-9_.:-]{1,63}$/;

/**
 * Publish/subscribe on PostgreSQL LISTEN/NOTIFY, so every API replica sees what any worker does.
 * One dedicated connection per bus (never a pooled one), reconnected with backoff when it drops;
 * after a reconnect the `onReconnect` hooks run, since notifications sent meanwhile are lost.
 */
export class EventBus {
  private readonly handlers = new Map<string, Set<EventHandler>>();
  private readonly reconnectHooks = new Set<() => void | Promise<void>>();
  private client: Client | null = null;
  private connecting: Promise<Client> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private wakeReconnect: (() => void) | null = null;
  private readonly onError: (err: Error) => void;

  constructor(private readonly options: EventBusOptions) {
    this.onError = options.onError ?? (() => undefined);
  }

  /** Whether the listening connection is up right now. */
  get connected(): boolean {
    return this.client !== null;
  }

  /** How many handlers listen on `channel` now (a gauge for operators and tests). */
  listenerCount(channel: string): number {
    return this.handlers.get(channel)?.size ?? 0;
  }

  /** Opens the listening connection (subscribe and publish do it on first use). */
  async connect(): Promise<void> {
    await this.ensureConnected();
  }

  /**
   * Sends `payload` (JSON, under 8000 bytes: send ids, let subscribers read rows) on `channel`.
   * With `manager` it goes through the caller's transaction and is delivered only if it commits.
   */
  async publish(channel: string, payload: object, manager?: EntityManager): Promise<void> {
    assertChannel(channel);
    const json = JSON.stringify(payload);
    if (Buffer.byteLength(json) > MAX_EVENT_PAYLOAD_BYTES) {
      throw new Error(
        `Event payload on "${channel}" is ${Buffer.byteLength(json)} bytes; NOTIFY carries at ` +
          `most ${MAX_EVENT_PAYLOAD_BYTES}. Send ids and let subscribers read the rows.`,
      );
    }
    if (manager) {
      await manager.query('SELECT pg_notify($1, $2)', [channel, json]);
      return;
    }
    const client = await this.ensureConnected();
    await this.run(client, 'SELECT pg_notify($1, $2)', [channel, json]);
  }

  /**
   * Calls `handler` for every notification on `channel`. Resolves once the LISTEN is in place, so
   * a subscriber can then read the current state without missing a change. Returns the function
   * that unsubscribes.
   */
  async subscribe<T = unknown>(
    channel: string,
    handler: EventHandler<T>,
    options: SubscribeOptions = {},
  ): Promise<() => Promise<void>> {
    assertChannel(channel);
    if (this.closed) throw new Error('EventBus is closed.');
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
    }
    const entry = handler as EventHandler;
    set.add(entry);
    const offReconnect = options.onReconnect ? this.onReconnect(options.onReconnect) : () => {};
    try {
      const client = await this.ensureConnected();
      // Idempotent; a reconnect in between has LISTENed already.
      await this.run(client, `LISTEN ${quote(channel)}`);
    } catch (err) {
      set.delete(entry);
      offReconnect();
      throw err;
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      offReconnect();
      const current = this.handlers.get(channel);
      current?.delete(entry);
      if (current?.size === 0) {
        this.handlers.delete(channel);
        if (this.client) {
          await this.run(this.client, `UNLISTEN ${quote(channel)}`).catch(() => undefined);
        }
      }
    };
  }

  /** Runs `hook` after every reconnect of the listener. Returns the function that removes it. */
  onReconnect(hook: () => void | Promise<void>): () => void {
    this.reconnectHooks.add(hook);
    return () => {
      this.reconnectHooks.delete(hook);
    };
  }

  /** Closes the connection; pending and later calls fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.handlers.clear();
    this.reconnectHooks.clear();
    this.wakeReconnect?.();
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private ensureConnected(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('EventBus is closed.'));
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.open().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async open(): Promise<Client> {
    const client = new Client({
      connectionString: this.options.url,
      keepAlive: true,
      application_name: this.options.applicationName ?? 'maas-events',
    });
    let lost = false;
    const onLost = (err?: Error) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      if (err) this.onError(err);
      if (!this.closed) void this.reconnect();
    };
    client.on('error', onLost);
    client.on('notification', (message) => this.dispatch(message));
    try {
      await client.connect();
      this.queue = Promise.resolve();
      for (const channel of this.handlers.keys()) {
        await client.query(`LISTEN ${quote(channel)}`);
      }
    } catch (err) {
      lost = true;
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      throw new Error('EventBus is closed.');
    }
    client.on('end', () => onLost());
    this.client = client;
    return client;
  }

  private async reconnect(): Promise<void> {
    if (this.connecting) return;
    const min = this.options.minReconnectDelayMs ?? 100;
    const max = this.options.maxReconnectDelayMs ?? 5_000;
    let resolveConnecting!: (client: Client) => void;
    let rejectConnecting!: (err: Error) => void;
    const connecting = new Promise<Client>((resolve, reject) => {
      resolveConnecting = resolve;
      rejectConnecting = reject;
    });
    // Callers arriving during the outage wait for the reconnect instead of racing it.
    connecting.catch(() => undefined);
    this.connecting = connecting;
    for (let attempt = 0; ; attempt++) {
      const delay = Math.min(max, min * 2 ** attempt) * (0.5 + Math.random() / 2);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.wakeReconnect = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeReconnect = null;
      if (this.closed) {
        this.connecting = null;
        rejectConnecting(new Error('EventBus is closed.'));
        return;
      }
      try {
        const client = await this.open();
        this.connecting = null;
        resolveConnecting(client);
        break;
      } catch (err) {
        this.onError(err as Error);
      }
    }
    for (const hook of [...this.reconnectHooks]) {
      try {
        await hook();
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }

  private dispatch(message: Notification): void {
    const set = this.handlers.get(message.channel);
    if (!set || set.size === 0) return;
    let payload: unknown;
    try {
      payload = JSON.parse(message.payload ?? 'null');
    } catch {
      this.onError(new Error(`Undecodable payload on "${message.channel}": ${message.payload}`));
      return;
    }
    for (const handler of [...set]) {
      try {
        const result = handler(payload, message.channel);
        if (result instanceof Promise) result.catch((err: Error) => this.onError(err));
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }

  /** One query at a time on the listening connection (pg deprecates overlapping queries). */
  private run(client: Client, sql: string, params?: unknown[]): Promise<unknown> {
    const next = this.queue.then(() => client.query(sql, params));
    this.queue = next.catch(() => undefined);
    return next;
  }
}

function assertChannel(channel: string): void {
  if (!CHANNEL.test(channel)) {
    throw new Error(
      `Invalid event channel "${channel}": use 1-63 letters, digits, "_", ".", ":" or "-".`,
    );
  }
}

function quote(channel: string): string {
  return `"${channel.replaceAll('"', '""')}"`;
}
