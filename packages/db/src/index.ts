export * from './entities';
export * from './data-source';
export * from './postgres/repo-root';
export * from './postgres/embedded-postgres';
export * from './postgres/postgres-binaries';
export * from './postgres/scratch-postgres';
export * from './schema/schema-diff';
