import { createHash } from 'node:crypto';

/** The rendezvous weight of `node` for `key`: the first 48 bits of sha256(key, node). */
export function rendezvousWeight(key: string, node: string): number {
  const digest = createHash('sha256').update(key).update('\0').update(node).digest();
  return digest.readUIntBE(0, 6);
}

/**
 * Rendezvous (highest-random-weight) hashing: `nodes` ordered by their weight for `key`, highest
 * first. Every caller computes the same order from the same list, a key keeps its node when other
 * nodes come or go, and only the keys of a removed node move (each to its next node in order).
 */
export function rendezvousOrder<T extends string>(key: string, nodes: readonly T[]): T[] {
  return nodes
    .map((node) => ({ node, weight: rendezvousWeight(key, node) }))
    .sort((a, b) => b.weight - a.weight || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0))
    .map((entry) => entry.node);
}
