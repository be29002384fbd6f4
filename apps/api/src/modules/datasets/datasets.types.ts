import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../../common/pagination';
import { SafeIntScalar } from '../../common/scalars';

@ObjectType()
export class DatasetColumn {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'numeric, categorical or boolean' })
  type!: string;

  @Field(() => Int)
  nullCount!: number;

  @Field(() => Float, { nullable: true })
  min!: number | null;

  @Field(() => Float, { nullable: true })
  max!: number | null;

  @Field(() => Float, { nullable: true })
  mean!: number | null;

  @Field(() => Int, { nullable: true })
  distinct!: number | null;
}

@ObjectType()
export class Dataset {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  rowCount!: number;

  @Field(() => [DatasetColumn])
  columns!: DatasetColumn[];

  @Field(() => SafeIntScalar)
  sizeBytes!: number;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, {
    nullable: true,
    description: 'Datasets are soft-deleted, so old jobs keep their lineage',
  })
  deletedAt!: Date | null;

  workspaceId!: string;
  columnsSha256!: string;
  previewRows!: Record<string, unknown>[];
}

@ObjectType()
export class DatasetEdge {
  @Field(() => Dataset)
  node!: Dataset;

  @Field(() => String)
  cursor!: string;
}

@ObjectType()
export class DatasetConnection {
  @Field(() => [DatasetEdge])
  edges!: DatasetEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
