import { rendezvousOrder } from './rendezvous';

const NODES = ['http://10.0.0.1:8000', 'http://10.0.0.2:8000', 'http://10.0.0.3:8000'];
const KEYS = Array.from({ length: 3000 }, (_, i) => `version-${i}`);

describe('rendezvousOrder', () => {
  it('gives every caller the same full order, whatever order the nodes are listed in', () => {
    for (const key of KEYS.slice(0, 50)) {
      const order = rendezvousOrder(key, NODES);
      expect([...order].sort()).toEqual([...NODES].sort());
      expect(rendezvousOrder(key, [...NODES].reverse())).toEqual(order);
    }
  });

  it('spreads keys evenly over the nodes', () => {
    const counts = new Map<string, number>();
    for (const key of KEYS) {
      const first = rendezvousOrder(key, NODES)[0] ?? '';
      counts.set(first, (counts.get(first) ?? 0) + 1);
    }
    for (const node of NODES) expect(counts.get(node)).toBeGreaterThan(850); // 1000 expected each
  });

  it('moves only the keys of a removed node, each to its next node in order', () => {
    const removed = NODES[1] ?? '';
    const rest = NODES.filter((n) => n !== removed);
    let moved = 0;
    for (const key of KEYS) {
      const before = rendezvousOrder(key, NODES);
      const after = rendezvousOrder(key, rest);
      if (before[0] === removed) {
        moved++;
        expect(after[0]).toBe(before[1]);
      } else {
        expect(after[0]).toBe(before[0]);
      }
    }
    expect(moved).toBeGreaterThan(0);
  });
});
