import { z } from 'zod';

const optionalInt = (min: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < min) {
        ctx.addIssue({ code: 'custom', message: `must be an integer ≥ ${min}, got '${v}'` });
        return z.NEVER;
      }
      return n;
    });

const schema = z.object({
  INFERENCE_PORT: optionalInt(0).transform((v) => v ?? 8000),
  INFERENCE_HOST: z
    .string()
    .optional()
    .transform((v) => v || '0.0.0.0'),
  INFERENCE_WORKER_TOKEN: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  ORT_EXECUTION_PROVIDERS: z
    .string()
    .optional()
    .transform((v) => v || 'auto'),
  PREDICT_TIMEOUT_MS: optionalInt(1).transform((v) => v ?? 30_000),
  /** Pool threads and total intra-op threads (defaults: see createInferenceEngine). */
  INFERENCE_THREADS: optionalInt(1),
  INFERENCE_INTRA_OP_THREADS: optionalInt(1),
  /** Session cache budget in bytes (default 1 GiB). */
  INFERENCE_CACHE_BYTES: optionalInt(1),
  /** `off` turns dynamic batching off. */
  INFERENCE_BATCHING: z
    .enum(['on', 'off'])
    .optional()
    .transform((v) => v !== 'off'),
  INFERENCE_MAX_BATCH_SIZE: optionalInt(1),
  INFERENCE_MAX_BATCH_DELAY_MS: optionalInt(0),
  /** Local disk cache of artifacts by sha256. */
  INFERENCE_ARTIFACT_DIR: z.string().optional(),
  /** Byte budget of that cache (artifact files and bundle folders together); 0: no budget. */
  INFERENCE_DISK_CACHE_BYTES: optionalInt(0),
  MAAS_DATA_DIR: z.string().optional(),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  ARTIFACT_STORE_URL: z
    .string()
    .optional()
    .transform((v) => v || undefined),
});

/** The variables the inference worker reads (docs/configuration.md lists each one). */
export const InferenceWorkerEnvSchema = schema;

/** The inference worker's configuration, read from the environment once. */
export type InferenceWorkerEnv = z.output<typeof schema>;

/** Parses and checks the worker's environment variables; throws one message listing every problem. */
export function parseInferenceWorkerEnv(env: NodeJS.ProcessEnv): InferenceWorkerEnv {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`inference worker configuration: ${problems}`);
  }
  return result.data;
}
