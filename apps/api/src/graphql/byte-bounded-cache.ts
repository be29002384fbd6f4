/** Fixed bookkeeping per entry (the Map slot, the entry object), added to the caller's size. */
const ENTRY_OVERHEAD_BYTES = 64;

/**
 * A least-recently-used cache bounded by the bytes of its entries (as the caller measures them,
 * plus the key and a fixed overhead), not by their count: one huge entry cannot be 1,000 of them.
 * An entry larger than the whole budget is not kept.
 */
export class ByteBoundedCache<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key); // most recently used goes last
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, valueBytes: number): void {
    const bytes = key.length * 2 + valueBytes + ENTRY_OVERHEAD_BYTES;
    this.delete(key);
    if (bytes > this.maxBytes) return;
    while (this.used + bytes > this.maxBytes) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
    this.entries.set(key, { value, bytes });
    this.used += bytes;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.used -= entry.bytes;
  }
}
