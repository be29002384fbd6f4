// What the root test/global-setup.ts provides to test files. An ES module on purpose: vitest's
// types are ESM, and only an ESM declaration file augments the `ProvidedContext` that both
// `project.provide` (vitest/node) and `inject` (vitest) see.
import type { TestDatabaseContext } from './test-database.js';

declare module 'vitest' {
  export interface ProvidedContext {
    maasDatabase: TestDatabaseContext | null;
  }
}

/** The key the global setup provides the test database context under. */
export type TestDatabaseKey = 'maasDatabase';
