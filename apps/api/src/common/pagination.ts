import type { SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import { Field, ObjectType } from 'type-graphql';
import { badInput } from './errors';

export const MAX_PAGE_SIZE = 100;
/** `TrainingJob.history(first:)`: its default and its most (docs/api.md, "Limits"). */
export const HISTORY_PAGE = 500;
export const MAX_HISTORY_PAGE = 1000;

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** `first` must be 1..100 (docs/api.md, "Scalars and pages"). */
export function checkFirst(first: number | null | undefined, fallback = 20): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) {
    throw badInput(`"first" must be between 1 and ${MAX_PAGE_SIZE}, got ${String(first)}`, {
      field: 'first',
    });
  }
  return n;
}

/** Cursors are opaque to clients: base64url of the sort key and the id. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: ('string' | 'number')[]): (string | number)[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === shape.length &&
      parsed.every((v, i) => typeof v === shape[i])
    ) {
      return parsed as (string | number)[];
    }
  } catch {
    // fall through to the error below
  }
  throw badInput('Invalid "after" cursor: pass an endCursor from a previous page', {
    field: 'after',
  });
}

export interface Page<T> {
  edges: { node: T; cursor: string }[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Builds a page from `first + 1` fetched rows (the extra row only says there is a next page). */
export function toPage<T>(
  rows: T[],
  first: number,
  totalCount: number,
  hasPrevious: boolean,
  cursorOf: (row: T) => string,
): Page<T> {
  const nodes = rows.slice(0, first);
  const edges = nodes.map((node) => ({ node, cursor: cursorOf(node) }));
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: rows.length > first,
      hasPreviousPage: hasPrevious,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/**
 * One newest-first page (created_at DESC, id DESC) of a filtered query: the total, the rows after
 * the cursor, and the next cursor. `qb` must select entities with `createdAt` and `id` as `alias`.
 */
export async function newestFirstPage<
  Row extends ObjectLiteral & { createdAt: Date; id: string },
  Node,
>(
  qb: SelectQueryBuilder<Row>,
  alias: string,
  args: { first?: number | null; after?: string | null },
  map: (row: Row) => Node,
): Promise<Page<Node>> {
  const first = checkFirst(args.first);
  const totalCount = await qb.clone().getCount();
  if (args.after) {
    const [createdAt, id] = decodeCursor(args.after, ['string', 'string']) as [string, string];
    qb.andWhere(`(${alias}.createdAt, ${alias}.id) < (:cursorCreatedAt, :cursorId)`, {
      cursorCreatedAt: createdAt,
      cursorId: id,
    });
  }
  const rows = await qb
    .orderBy(`${alias}.createdAt`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .take(first + 1)
    .getMany();
  const page = toPage(rows, first, totalCount, Boolean(args.after), (r) =>
    encodeCursor([r.createdAt.toISOString(), r.id]),
  );
  return { ...page, edges: page.edges.map((e) => ({ node: map(e.node), cursor: e.cursor })) };
}
