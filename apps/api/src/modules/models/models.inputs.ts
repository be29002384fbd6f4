import { Field, InputType } from 'type-graphql';
import { IsOptional, MaxLength } from 'class-validator';
import type { ModelTask } from '@maas/db';
import { JSONScalar } from '../../common/scalars';
import { ModelTaskEnum } from './models.types';

@InputType()
export class CreateModelInput {
  @Field(() => String)
  @MaxLength(63, { message: 'name must have at most 63 characters' })
  name!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000, { message: 'description must have at most 10000 characters' })
  description?: string | null;

  @Field(() => ModelTaskEnum, { nullable: true, defaultValue: 'OTHER' })
  task?: ModelTask | null;

  @Field(() => JSONScalar, { nullable: true })
  tags?: unknown;
}

@InputType()
export class UpdateModelInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(10_000, { message: 'description must have at most 10000 characters' })
  description?: string | null;

  @Field(() => ModelTaskEnum, { nullable: true })
  task?: ModelTask | null;

  @Field(() => JSONScalar, { nullable: true })
  tags?: unknown;
}

@InputType()
export class ModelFilter {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxLength(200, { message: 'search must have at most 200 characters' })
  search?: string | null;

  @Field(() => ModelTaskEnum, { nullable: true })
  task?: ModelTask | null;
}
