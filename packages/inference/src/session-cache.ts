/** What the cache tracks for one loaded version. */
export interface CacheEntry {
  id: string;
  bytes: number;
  /** Requests currently using the session; a pinned entry is never evicted. */
  pins: number;
}

/**
 * A least-recently-used index of loaded sessions, bounded by bytes. It only decides what to evict;
 * the engine releases the native sessions. Entries in use are skipped, so the total may exceed the
 * budget for a while; `trim()` after unpinning brings it back.
 */
export class SessionLru {
  // Map iteration order is insertion order: re-inserting on use keeps the least recent first.
  private readonly entries = new Map<string, CacheEntry>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): CacheEntry | undefined {
    return this.entries.get(id);
  }

  /** Marks `id` as most recently used. */
  touch(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.entries.set(id, entry);
  }

  /** Adds (or replaces) an entry and returns the ids evicted to make room, least recent first. */
  add(id: string, bytes: number): string[] {
    this.remove(id);
    this.entries.set(id, { id, bytes, pins: 0 });
    this.total += bytes;
    return this.trim(id);
  }

  remove(id: string): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    this.total -= entry.bytes;
    return true;
  }

  pin(id: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.pins++;
  }

  unpin(id: string): void {
    const entry = this.entries.get(id);
    if (entry && entry.pins > 0) entry.pins--;
  }

  /** Evicts unpinned entries, least recent first, until within budget; `keep` is never evicted. */
  trim(keep?: string): string[] {
    const evicted: string[] = [];
    if (this.total <= this.maxBytes) return evicted;
    for (const entry of [...this.entries.values()]) {
      if (this.total <= this.maxBytes) break;
      if (entry.id === keep || entry.pins > 0) continue;
      this.remove(entry.id);
      evicted.push(entry.id);
    }
    return evicted;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }
}
