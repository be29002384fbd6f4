import type { FastifyInstance } from 'fastify';
import type { Services } from '../services';
import { audit } from './audit';
import { REST_AUDIT_ACTIONS, refusedOutcome } from './audit-actions';

declare module 'fastify' {
  interface FastifyRequest {
    /** The error a request failed with, kept for the audit hook below. */
    auditError?: { code: unknown; message: string; details: Record<string, unknown> };
  }
}

/**
 * REST writes (REST_AUDIT_ACTIONS) refused with FORBIDDEN or QUOTA_EXCEEDED (an oversized body
 * too) leave an audit row with outcome `forbidden` / `quota_exceeded`, written once the response
 * is sent, outside any transaction the refused write began. Successful writes are recorded by
 * their services, in the write's own transaction. Register before the routes.
 */
export function registerRestAuditHooks(app: FastifyInstance, services: Services): void {
  app.addHook('onError', (req, _reply, err, done) => {
    const e = err as { code?: unknown; message: string; details?: Record<string, unknown> };
    req.auditError = { code: e.code, message: e.message, details: e.details ?? {} };
    done();
  });
  app.addHook('onResponse', async (req) => {
    const route = `${req.method} ${req.routeOptions.url ?? ''}`;
    const audited = REST_AUDIT_ACTIONS[route];
    const outcome = refusedOutcome(req.auditError?.code);
    // Without a key the request never got this far: a failed sign-in, recorded apart.
    if (!audited || !outcome || !req.auth || !req.auditError) return;
    const { http: _http, ...details } = req.auditError.details;
    await audit(
      services.db.manager,
      req.auth,
      req.auth.workspaceId,
      audited.action,
      audited.targetType,
      null,
      { route, message: req.auditError.message, ...details },
      outcome,
    ).catch((err: unknown) => req.log.warn({ err }, 'could not record a refused REST write'));
  });
}
