import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { audit } from '../common/audit';
import { MUTATION_AUDIT_ACTIONS, refusedOutcome } from '../common/audit-actions';
import type { GraphQLContext } from '../context';

/** The error code a resolver threw (a UserError's, or one in GraphQL extensions). */
function codeOf(err: unknown): unknown {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; extensions?: { code?: unknown } };
  return e.extensions?.code ?? e.code;
}

/** An `id` argument (or `input.id`), recorded as the refused attempt's target. */
function targetIdOf(args: Record<string, unknown>): string | null {
  const input = args.input as Record<string, unknown> | undefined;
  const candidate = args.id ?? args.modelId ?? input?.id ?? null;
  return typeof candidate === 'string' ? candidate.slice(0, 64) : null;
}

/**
 * Wraps every Mutation field of `schema` (on HTTP and WebSocket alike): a mutation refused with
 * FORBIDDEN or QUOTA_EXCEEDED leaves an audit row with outcome `forbidden` / `quota_exceeded`,
 * written after the refused change rolled back (its own statement, outside that transaction).
 * The row's action comes from MUTATION_AUDIT_ACTIONS; the error goes on to the caller unchanged.
 */
export function auditRefusedMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  if (!mutation) return schema;
  for (const field of Object.values(mutation.getFields())) {
    const resolve: GraphQLFieldResolver<unknown, GraphQLContext> =
      field.resolve ?? defaultFieldResolver;
    const audited = MUTATION_AUDIT_ACTIONS[field.name] ?? {
      action: `${field.name}.unregistered`,
      targetType: 'unknown',
    };
    field.resolve = async (source, args: Record<string, unknown>, ctx: GraphQLContext, info) => {
      try {
        return await resolve(source, args, ctx, info);
      } catch (err) {
        const outcome = refusedOutcome(codeOf(err));
        if (outcome && ctx?.auth) {
          const { code: _code, ...details } =
            (err as { extensions?: Record<string, unknown> }).extensions ?? {};
          await audit(
            ctx.services.db.manager,
            ctx.auth,
            ctx.auth.workspaceId,
            audited.action,
            audited.targetType,
            targetIdOf(args),
            { mutation: field.name, message: (err as Error).message, ...details },
            outcome,
          ).catch((auditErr: unknown) =>
            ctx.services.logger.warn({ err: auditErr }, 'could not record a refused mutation'),
          );
        }
        throw err;
      }
    };
  }
  return schema;
}
