/**
 * The bounds of `predict(input: { explain: true })` (docs/api.md, "Explanations"). Constants, not
 * settings: they bound the work one request may ask of the inference backend.
 */

/** Most records one explained request may carry. */
export const EXPLAIN_MAX_RECORDS = 32;

/**
 * Rows of the version's training split in the background sample (fewer when it has fewer). The
 * sampled Shapley values draw one antithetic pair of feature orders per background row and record.
 */
export const BACKGROUND_ROWS = 50;

/** Most model evaluations (rows run through the model) one explained request may cost. */
export const EXPLAIN_MAX_EVALUATIONS = 100_000;

/** Most input values (evaluations × features) one explained request may send to the model. */
export const EXPLAIN_MAX_VALUES = 2 ** 24;

/** Input values per session run of the coalition evaluations (at least one whole chain). */
export const EXPLAIN_BATCH_VALUES = 2 ** 20;

/** Versions whose reference data (background sample, training means, weights) are kept in memory. */
export const REFERENCE_CACHE_VERSIONS = 64;

/**
 * How far the contributions' sum may be from prediction − baseline, relative to
 * 1 + |prediction| + |baseline| + Σ|contribution| (docs/api.md, "Explanations"): float32 model
 * arithmetic. Sampled Shapley values sum to the served prediction − baseline up to float64
 * rounding; exact-linear ones to the margin computed from the served weights, which the served
 * float32 output matches to this tolerance.
 */
export const EXPLANATION_SUM_TOLERANCE = 1e-5;
