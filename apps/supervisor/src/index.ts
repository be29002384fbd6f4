export * from './admin-key';
export * from './child-plan';
export * from './env';
export * from './line-forwarder';
export * from './platform';
export * from './readiness';
export * from './supervised-child';
export * from './supervisor-log';
