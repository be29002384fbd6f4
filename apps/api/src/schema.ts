import 'reflect-metadata';
import { DateTimeResolver } from 'graphql-scalars';
import type { GraphQLSchema } from 'graphql';
import { validate, type ValidationError } from 'class-validator';
import { buildSchema, type PubSub } from 'type-graphql';
import { badInput } from './common/errors';
import { auditRefusedMutations } from './graphql/audit-refusals';
import { ApiKeyResolver, WorkspaceResolver } from './modules/auth/auth.resolver';
import { DatasetResolver } from './modules/datasets/datasets.resolver';
import {
  DeploymentResolver,
  DeploymentRouteResolver,
} from './modules/deployments/deployments.resolver';
import {
  EvaluationJobResolver,
  VersionEvaluationResolver,
} from './modules/evaluation/evaluation.resolver';
import { FeedbackResolver } from './modules/feedback/feedback.resolver';
import {
  DeploymentMonitoringFieldsResolver,
  MonitoringAlertResolver,
  MonitoringBucketResolver,
  MonitoringResolver,
} from './modules/monitoring/monitoring.resolver';
import { PromotionResolver } from './modules/promotions/promotions.resolver';
import {
  ModelRetrainingResolver,
  RetrainPolicyResolver,
  TimelineEventResolver,
} from './modules/retraining/retraining.resolver';
import { WorkspaceQuotaResolver } from './modules/quotas/quotas.resolver';
import { PredictionResolver } from './modules/predictions/predictions.resolver';
import { UsageResolver } from './modules/usage/usage.resolver';
import {
  ModelVersionTrainingResolver,
  TrainingJobResolver,
} from './modules/training/training.resolver';
import {
  AliasMoveResolver,
  ModelAliasResolver,
  ModelResolver,
  ModelVersionResolver,
} from './modules/models/models.resolver';
import { AuditEventResolver } from './modules/audit/audit.resolver';
import {
  EmbeddingsResolver,
  GenerationResolver,
} from './modules/language-models/language-models.resolver';

export const RESOLVERS = [
  ModelResolver,
  ModelVersionResolver,
  ModelAliasResolver,
  AliasMoveResolver,
  ApiKeyResolver,
  WorkspaceResolver,
  WorkspaceQuotaResolver,
  DatasetResolver,
  DeploymentResolver,
  DeploymentRouteResolver,
  PredictionResolver,
  FeedbackResolver,
  PromotionResolver,
  MonitoringResolver,
  MonitoringBucketResolver,
  MonitoringAlertResolver,
  DeploymentMonitoringFieldsResolver,
  RetrainPolicyResolver,
  ModelRetrainingResolver,
  TimelineEventResolver,
  TrainingJobResolver,
  ModelVersionTrainingResolver,
  EvaluationJobResolver,
  VersionEvaluationResolver,
  UsageResolver,
  AuditEventResolver,
  GenerationResolver,
  EmbeddingsResolver,
] as const;

/**
 * Every subscription here supplies its own `subscribe` (fed by PostgreSQL LISTEN/NOTIFY through
 * the event bus), so type-graphql's topic-based PubSub is never used; it still wants one.
 */
const noTopicPubSub: PubSub = {
  publish() {
    throw new Error('maas subscriptions do not use type-graphql topics');
  },
  subscribe() {
    throw new Error('maas subscriptions do not use type-graphql topics');
  },
};

function constraintMessages(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}),
    ...constraintMessages(e.children ?? []),
  ]);
}

/**
 * class-validator on input objects (the decorated `*.inputs.ts` classes), imported once: the
 * built-in `validate: true` path re-requires class-validator for every argument of every request.
 */
async function validateInputs(value: unknown): Promise<void> {
  const items = Array.isArray(value) ? (value as unknown[]) : [value];
  for (const item of items) {
    if (typeof item !== 'object' || item === null || item instanceof Date) continue;
    const errors = await validate(item, { forbidUnknownValues: false });
    if (errors.length > 0) throw badInput(constraintMessages(errors).join('; '));
  }
}

/** The GraphQL schema, built from the resolvers; `apps/api/schema.graphql` is its printed form. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [...RESOLVERS],
    // The contract's DateTime is graphql-scalars' DateTime (type-graphql's own is DateTimeISO).
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validateFn: validateInputs,
    pubSub: noTopicPubSub,
  });
  // Refused mutations (FORBIDDEN, QUOTA_EXCEEDED) leave an audit row, on every transport.
  return auditRefusedMutations(schema);
}
