import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { ROLES, type Role } from '@maas/db';
import type { QuotaValues } from '../quotas/quota-fields';

export const RoleEnum = Object.fromEntries(ROLES.map((r) => [r, r])) as Record<Role, Role>;
registerEnumType(RoleEnum, { name: 'Role' });

@ObjectType()
export class Workspace {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Date)
  createdAt!: Date;

  /** Its quota row, read with it; `Workspace.quota` shows it to the workspace and the root key. */
  quotaValues!: QuotaValues;
}

@ObjectType()
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  lastUsedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  workspaceId!: string;
}

@ObjectType({ description: 'The secret is shown once and stored only as a hash' })
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field(() => String)
  secret!: string;
}

@ObjectType({ description: 'Who the caller is' })
export class Viewer {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => Workspace)
  workspace!: Workspace;

  @Field(() => Boolean)
  isRoot!: boolean;
}
