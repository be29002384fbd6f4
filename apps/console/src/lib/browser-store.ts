// A value kept in Web Storage, readable with useSyncExternalStore: the server (and the first
// hydration pass) sees `undefined`, the browser the stored string or null.

export interface StoredValue {
  subscribe: (listener: () => void) => () => void;
  read: () => string | null;
  readOnServer: () => undefined;
  write: (value: string | null) => void;
}

/** One key of sessionStorage or localStorage; writes notify this tab's readers. */
export function storedValue(area: 'session' | 'local', key: string): StoredValue {
  const listeners = new Set<() => void>();
  const storage = (): Storage | null => {
    try {
      return area === 'session' ? window.sessionStorage : window.localStorage;
    } catch {
      return null; // Storage disabled (privacy settings): behave as if empty.
    }
  };
  return {
    subscribe: (listener) => {
      listeners.add(listener);
      const onStorage = (event: StorageEvent) => {
        if (event.key === key) listener();
      };
      window.addEventListener('storage', onStorage);
      return () => {
        listeners.delete(listener);
        window.removeEventListener('storage', onStorage);
      };
    },
    read: () => storage()?.getItem(key) ?? null,
    readOnServer: () => undefined,
    write: (value) => {
      try {
        if (value === null) storage()?.removeItem(key);
        else storage()?.setItem(key, value);
      } catch {
        // Quota or disabled storage: the value simply is not kept.
      }
      for (const listener of listeners) listener();
    },
  };
}
