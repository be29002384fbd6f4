// The limits every GraphQL document meets before it runs, on any transport (HTTP through Apollo's
// plugin, graphql-ws through `DocumentGuard.prepare`): one home for them. The order matters: tokens are capped while
// parsing, then depth, aliases, directives and repeated fields are checked by cheap linear rules
// BEFORE graphql-js validation, whose OverlappingFieldsCanBeMerged rule is quadratic in the fields
// of a selection set; the cost, which depends on the variables, is checked per request.
import { createHash } from 'node:crypto';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isLeafType,
  isListType,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  visit,
  BREAK,
  type DocumentNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, simpleEstimator, type ComplexityEstimator } from 'graphql-query-complexity';
import { badInput, UserError } from '../common/errors';
import type { ApiConfig } from '../env';
import { ByteBoundedCache } from './byte-bounded-cache';

/** Why a document was refused: `extensions.reason` of its BAD_USER_INPUT error. */
export type LimitReason =
  | 'MAX_TOKENS'
  | 'MAX_DEPTH'
  | 'MAX_ALIASES'
  | 'MAX_DIRECTIVES'
  | 'MAX_FIELD_REPEATS'
  | 'MAX_COMPLEXITY';

export interface DocumentLimits {
  maxTokens: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxFieldRepeats: number;
  maxComplexity: number;
  /** Bytes of hashes of documents that passed shape and validation, kept to skip both. */
  cacheBytes: number;
  /** `__schema` and `__type` allowed (config.graphqlIntrospection). */
  introspection: boolean;
}

export function documentLimitsFrom(config: ApiConfig): DocumentLimits {
  return {
    maxTokens: config.MAX_QUERY_TOKENS,
    maxDepth: config.MAX_QUERY_DEPTH,
    maxAliases: config.MAX_QUERY_ALIASES,
    maxDirectives: config.MAX_QUERY_DIRECTIVES,
    maxFieldRepeats: config.MAX_QUERY_FIELD_REPEATS,
    maxComplexity: config.MAX_QUERY_COMPLEXITY,
    cacheBytes: config.GRAPHQL_DOCUMENT_CACHE_BYTES,
    introspection: config.graphqlIntrospection,
  };
}

/** What a list without a page argument is assumed to hold, for the cost estimate. */
export const UNPAGED_LIST_ITEMS = 5;
/** What a `usage` series is assumed to hold: it may return thousands of records (docs/api.md). */
export const USAGE_SERIES_ITEMS = 100;
/** The cost estimate stops (and refuses) after visiting this many nodes. */
const MAX_COST_NODES = 10_000;

export function limitError(reason: LimitReason, message: string): UserError {
  return badInput(message, { reason, http: { status: 400 } });
}

// A field with `first`, `last` or `limit` (given, or its default) costs 1 + that many times its
// children; a list of objects without one costs 1 + UNPAGED_LIST_ITEMS times (a connection's
// `edges` excepted: its `first` already counted); any other field costs 1 plus its children.
const listEstimator: ComplexityEstimator = ({ type: parent, field, args, childComplexity }) => {
  const page = [args.first, args.last, args.limit].find((v): v is number => typeof v === 'number');
  if (page !== undefined) return 1 + Math.max(page, 0) * Math.max(childComplexity, 1);
  // A usage series is one query, but a large answer: priced as a long list, whatever its range.
  if (parent.name === 'Query' && field.name === 'usage')
    return 1 + USAGE_SERIES_ITEMS * Math.max(childComplexity, 1);
  const type = getNullableType(field.type);
  // Introspection lists (`types`, `fields`, …) count as one: they are the schema, bounded and
  // in memory, and the standard introspection query must fit when introspection is on.
  const counted = !parent.name.endsWith('Connection') && !parent.name.startsWith('__');
  if (counted && isListType(type) && !isLeafType(getNamedType(type))) {
    return 1 + UNPAGED_LIST_ITEMS * Math.max(childComplexity, 1);
  }
  return undefined;
};

/** Refuses a selection set in which one response name appears more than `max` times. */
function maxFieldRepeatsRule(max: number): ValidationRule {
  const count = (set: SelectionSetNode, counts: Map<string, number>): void => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        const name = sel.alias?.value ?? sel.name.value;
        counts.set(name, (counts.get(name) ?? 0) + 1);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        count(sel.selectionSet, counts); // merged into the same selection set
      }
    }
  };
  return () => ({
    SelectionSet(set) {
      const counts = new Map<string, number>();
      count(set, counts);
      for (const [name, n] of counts) {
        if (n > max) {
          throw limitError(
            'MAX_FIELD_REPEATS',
            `Field "${name}" is selected ${n} times in one selection set, over the limit of ${max}`,
          );
        }
      }
    },
  });
}

/**
 * Whether a variable can change the cost: one passed to a page argument, or to `@include` /
 * `@skip` (any argument named `if`). Otherwise the cost of a valid document is fixed.
 */
function costDependsOnVariables(document: DocumentNode): boolean {
  let depends = false;
  visit(document, {
    Argument(arg) {
      if (COST_ARGUMENTS.has(arg.name.value) && arg.value.kind === Kind.VARIABLE) depends = true;
      if (depends) return BREAK;
      return undefined;
    },
  });
  return depends;
}
const COST_ARGUMENTS = new Set(['first', 'last', 'limit', 'if']);

/** graphql-armor's rules throw their own GraphQLError; this turns the refusal into ours. */
function refuseAs(reason: LimitReason, limit: number, what: string) {
  return [
    (_ctx: ValidationContext | null, err: GraphQLError) => {
      const found = /found (\d+)/.exec(err.message)?.[1];
      throw limitError(
        reason,
        `${what} ${found ?? ''} exceeds the limit of ${limit}`.replace('  ', ' '),
      );
    },
  ];
}

/**
 * The limits of one schema, for every transport. `check` runs the shape checks, then graphql-js
 * validation (Apollo's own validation is off, see apollo.ts: it would run the quadratic rule
 * first), then the cost with these variables. A document that passed is remembered by its hash
 * and operation name (at most `cacheBytes` of them), so a hot query is validated once, not per
 * request, and its cost too when no variable can change it (a predict, say).
 * `prepare` parses (with the token cap) and checks, for transports without Apollo's pipeline.
 */
export class DocumentGuard {
  /** Apollo's and `prepare`'s `parse` options: the token cap. */
  readonly parseOptions: { maxTokens: number };
  private readonly shapeRules: ValidationRule[];
  private readonly rules: ValidationRule[];
  /** `valid`: passed shape and validation; `within`: and its cost, which no variable changes. */
  private readonly passed: ByteBoundedCache<'valid' | 'within'>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly limits: DocumentLimits,
  ) {
    this.parseOptions = { maxTokens: limits.maxTokens };
    this.passed = new ByteBoundedCache(limits.cacheBytes);
    this.shapeRules = [
      maxDepthRule({
        n: limits.maxDepth,
        flattenFragments: true,
        onReject: refuseAs('MAX_DEPTH', limits.maxDepth, 'Query depth'),
      }),
      maxAliasesRule({
        n: limits.maxAliases,
        onReject: refuseAs('MAX_ALIASES', limits.maxAliases, 'Number of aliases'),
      }),
      maxDirectivesRule({
        n: limits.maxDirectives,
        onReject: refuseAs('MAX_DIRECTIVES', limits.maxDirectives, 'Number of directives'),
      }),
      maxFieldRepeatsRule(limits.maxFieldRepeats),
    ];
    this.rules = limits.introspection
      ? [...specifiedRules]
      : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  }

  /** How many bytes the cache of passed documents holds now. */
  get cachedBytes(): number {
    return this.passed.bytes;
  }

  /**
   * Shape, validation and cost of a parsed document; `hash` identifies its source text (Apollo's
   * `queryHash`, or SHA-256). Returns the validation errors (none when it may run); a limit
   * refusal throws BAD_USER_INPUT with a `reason`.
   */
  check(
    document: DocumentNode,
    hash: string,
    operationName: string | undefined,
    variables: Record<string, unknown>,
  ): readonly GraphQLError[] {
    const key = `${hash}/${operationName ?? ''}`;
    let known = this.passed.get(key);
    if (known === 'within') return [];
    if (!known) {
      this.checkShape(document);
      const errors = validate(this.schema, document, this.rules);
      if (errors.length > 0) return errors;
      known = costDependsOnVariables(document) ? 'valid' : 'within';
    }
    this.checkCost(document, operationName, variables);
    this.passed.set(key, known, 0);
    return [];
  }

  /**
   * Depth (fragments followed once each), aliases, directives and repeated fields: linear in the
   * document, and run before graphql-js validation. Throws BAD_USER_INPUT with a `reason`.
   */
  checkShape(document: DocumentNode): void {
    validate(this.schema, document, this.shapeRules);
  }

  /** The estimated cost with these variables; over the limit throws BAD_USER_INPUT. */
  checkCost(
    document: DocumentNode,
    operationName: string | undefined,
    variables: Record<string, unknown>,
  ): void {
    let cost: number;
    try {
      cost = getComplexity({
        schema: this.schema,
        query: document,
        operationName,
        variables,
        maxQueryNodes: MAX_COST_NODES,
        estimators: [listEstimator, simpleEstimator({ defaultComplexity: 1 })],
      });
    } catch (err) {
      if (err instanceof UserError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      if (/maximum allowed number of nodes/.test(message)) {
        throw limitError(
          'MAX_COMPLEXITY',
          `Query complexity is over ${MAX_COST_NODES} nodes, far over the limit of ${this.limits.maxComplexity}`,
        );
      }
      throw badInput(message, { http: { status: 400 } }); // e.g. a variable of the wrong type
    }
    if (cost > this.limits.maxComplexity) {
      throw limitError(
        'MAX_COMPLEXITY',
        `Query complexity ${cost} exceeds the limit of ${this.limits.maxComplexity}: ask for smaller pages or fewer fields`,
      );
    }
  }

  /**
   * Everything Apollo's pipeline and plugin do, for another transport (graphql-ws's `onSubscribe`):
   * parse with the token cap, then `check`. Returns the document, or the errors to send, each a
   * BAD_USER_INPUT GraphQLError with a `reason` (a limit, GRAPHQL_PARSE_FAILED or
   * GRAPHQL_VALIDATION_FAILED).
   */
  prepare(
    source: string,
    operationName: string | undefined,
    variables: Record<string, unknown>,
  ): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
    let document: DocumentNode;
    try {
      document = parse(source, this.parseOptions);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return { errors: [badInput(message, { reason: parseFailureReason(message) })] };
    }
    try {
      const hash = createHash('sha256').update(source).digest('hex');
      const errors = this.check(document, hash, operationName, variables);
      if (errors.length === 0) return { document };
      return {
        errors: errors.map(
          (e) =>
            new GraphQLError(e.message, {
              nodes: e.nodes,
              extensions: { code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' },
            }),
        ),
      };
    } catch (err) {
      if (err instanceof GraphQLError) return { errors: [err] };
      throw err;
    }
  }
}

/** MAX_TOKENS when graphql-js stopped parsing at the token cap, else GRAPHQL_PARSE_FAILED. */
export function parseFailureReason(message: string): 'MAX_TOKENS' | 'GRAPHQL_PARSE_FAILED' {
  return /contains more tha[nt] \d+ tokens/.test(message) ? 'MAX_TOKENS' : 'GRAPHQL_PARSE_FAILED';
}
