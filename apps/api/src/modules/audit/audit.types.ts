import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../common/pagination';
import { JSONScalar } from '../../common/scalars';
import { ApiKey, Workspace } from '../auth/auth.types';

@ObjectType({ description: 'One row of the audit log: who did (or tried) what, to which object' })
export class AuditEvent {
  @Field(() => ID)
  id!: string;

  @Field(() => Date)
  at!: Date;

  @Field(() => Workspace)
  workspace?: Workspace;

  @Field(() => ApiKey, {
    nullable: true,
    description: 'null for the platform itself (a training worker, a root-key rotation)',
  })
  actor?: ApiKey | null;

  @Field(() => String, { nullable: true, description: 'The client address the API saw' })
  sourceAddress!: string | null;

  @Field(() => String, { description: 'e.g. "model.create", "alias.set", "apiKey.revoke"' })
  action!: string;

  @Field(() => String, { nullable: true })
  targetType!: string | null;

  @Field(() => ID, { nullable: true })
  targetId!: string | null;

  @Field(() => String, { description: '"ok", "forbidden", "quota_exceeded" or "failed"' })
  outcome!: string;

  @Field(() => JSONScalar, { nullable: true })
  details!: Record<string, unknown> | null;

  workspaceId!: string;
  apiKeyId!: string | null;
}

@ObjectType()
export class AuditEventEdge {
  @Field(() => AuditEvent)
  node!: AuditEvent;

  @Field(() => String)
  cursor!: string;
}

@ObjectType()
export class AuditEventConnection {
  @Field(() => [AuditEventEdge])
  edges!: AuditEventEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@InputType({ description: 'Every field narrows the list; all of them must match' })
export class AuditFilter {
  @Field(() => String, { nullable: true })
  action?: string | null;

  @Field(() => ID, { nullable: true, description: 'The acting key' })
  actorId?: string | null;

  @Field(() => String, { nullable: true })
  targetType?: string | null;

  @Field(() => ID, { nullable: true })
  targetId?: string | null;

  @Field(() => String, { nullable: true })
  outcome?: string | null;

  @Field(() => Date, { nullable: true, description: 'At or after' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'At or before' })
  to?: Date | null;

  @Field(() => ID, { nullable: true, description: 'Root key only: one workspace' })
  workspaceId?: string | null;
}
