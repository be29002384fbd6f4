import { SessionLru } from './session-cache';

describe('SessionLru', () => {
  it('evicts least recently used entries until within the byte budget', () => {
    const lru = new SessionLru(100);
    expect(lru.add('a', 40)).toEqual([]);
    expect(lru.add('b', 40)).toEqual([]);
    lru.touch('a');
    expect(lru.add('c', 40)).toEqual(['b']);
    expect(lru.ids()).toEqual(['a', 'c']);
    expect(lru.bytes).toBe(80);
  });

  it('never evicts a pinned entry, and trims once it is unpinned', () => {
    const lru = new SessionLru(100);
    lru.add('a', 60);
    lru.pin('a');
    expect(lru.add('b', 60)).toEqual([]);
    expect(lru.bytes).toBe(120);
    lru.unpin('a');
    expect(lru.trim()).toEqual(['a']);
    expect(lru.ids()).toEqual(['b']);
  });

  it('keeps a single entry larger than the budget (it is the one being served)', () => {
    const lru = new SessionLru(10);
    lru.add('small', 5);
    expect(lru.add('huge', 50)).toEqual(['small']);
    expect(lru.ids()).toEqual(['huge']);
  });

  it('replaces an entry with the same id without double counting', () => {
    const lru = new SessionLru(100);
    lru.add('a', 30);
    lru.add('a', 50);
    expect(lru.size).toBe(1);
    expect(lru.bytes).toBe(50);
  });
});
