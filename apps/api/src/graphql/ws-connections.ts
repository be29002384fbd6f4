/** Close code of a socket whose API key was revoked (or is no longer valid). */
export const WS_CLOSE_KEY_REVOKED = 4403;
/** Close code of a socket refused because its key has WS_MAX_SOCKETS_PER_KEY sockets open. */
export const WS_CLOSE_TOO_MANY_SOCKETS = 4429;
/** Close code of a socket refused at connection_init because its address is over its rate. */
export const WS_CLOSE_RATE_LIMITED = 4429;

/** What the registry needs of a socket. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
}

/**
 * This replica's open graphql-ws sockets by API key id: caps the sockets per key and closes a
 * key's sockets when it is revoked (on any replica: the API hears revocations on
 * API_KEYS_CHANNEL, see AuthService.onKeyRevoked).
 */
export class WsConnectionRegistry {
  private readonly byKey = new Map<string, Set<ClosableSocket>>();

  constructor(
    private readonly maxPerKey: number,
    private readonly onCountChanged: (open: number) => void = () => undefined,
  ) {}

  /** Registers `socket` for the key; false (nothing registered) when the key is at its cap. */
  add(apiKeyId: string, socket: ClosableSocket): boolean {
    let set = this.byKey.get(apiKeyId);
    if (!set) {
      set = new Set();
      this.byKey.set(apiKeyId, set);
    }
    if (set.has(socket)) return true;
    if (set.size >= this.maxPerKey) return false;
    set.add(socket);
    this.onCountChanged(this.size);
    return true;
  }

  remove(apiKeyId: string, socket: ClosableSocket): void {
    const set = this.byKey.get(apiKeyId);
    if (!set?.delete(socket)) return;
    if (set.size === 0) this.byKey.delete(apiKeyId);
    this.onCountChanged(this.size);
  }

  /** Closes (with {@link WS_CLOSE_KEY_REVOKED}) every socket of the key; returns how many. */
  closeKey(apiKeyId: string, reason = 'The API key was revoked'): number {
    const set = this.byKey.get(apiKeyId);
    if (!set) return 0;
    this.byKey.delete(apiKeyId);
    for (const socket of set) socket.close(WS_CLOSE_KEY_REVOKED, reason);
    this.onCountChanged(this.size);
    return set.size;
  }

  /** Key ids with at least one open socket. */
  keyIds(): string[] {
    return [...this.byKey.keys()];
  }

  get size(): number {
    let n = 0;
    for (const set of this.byKey.values()) n += set.size;
    return n;
  }
}
