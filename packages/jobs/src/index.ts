export * from './queues';
export * from './lease';
export * from './job-queue';
export * from './pg-boss-job-queue';
export * from './training-events';
export * from './training-job-store';
export * from './training-job-lease-store';
export * from './training-control';
export { queryRows } from './sql';
