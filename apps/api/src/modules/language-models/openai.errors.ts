import type { FastifyError } from 'fastify';
import { UserError } from '../../common/errors';

/** OpenAI's error body: what the `openai` client reads into `APIError`. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface OpenAiErrorAnswer {
  status: number;
  body: OpenAiErrorBody;
  retryAfterSeconds?: number;
}

/** The GraphQL inputs' parameter names as the OpenAI routes spell them. */
const PARAM_NAMES: Record<string, string> = {
  maxTokens: 'max_tokens',
  topP: 'top_p',
  topK: 'top_k',
};

export function openAiParam(param: unknown): string | null {
  if (typeof param !== 'string') return null;
  return PARAM_NAMES[param] ?? param;
}

function answer(
  status: number,
  message: string,
  type: string,
  code: string | null,
  param: string | null = null,
): OpenAiErrorAnswer {
  return { status, body: { error: { message, type, param, code } } };
}

/**
 * Any error of the OpenAI routes in OpenAI's shape and status: 400 `invalid_request_error`
 * (`context_length_exceeded` for a prompt too long for the model), 401 `invalid_api_key`, 404
 * `model_not_found`, 413 for a body over its limit, 429 `rate_limit_exceeded` (request rate,
 * a full engine) or `insufficient_quota` (the daily token quota), 503 while a model cannot serve,
 * 500 `server_error` with nothing internal in it.
 */
export function toOpenAiError(err: unknown): OpenAiErrorAnswer {
  if (err instanceof UserError) {
    const retry = err.details.retryAfterSeconds;
    const withRetry = (a: OpenAiErrorAnswer) =>
      typeof retry === 'number' ? { ...a, retryAfterSeconds: retry } : a;
    const param = openAiParam(err.details.param);
    switch (err.code) {
      case 'BAD_USER_INPUT':
        return answer(
          400,
          err.message,
          'invalid_request_error',
          err.details.reason === 'CONTEXT_LENGTH_EXCEEDED' ? 'context_length_exceeded' : null,
          param,
        );
      case 'UNAUTHENTICATED':
        return answer(401, err.message, 'invalid_request_error', 'invalid_api_key');
      case 'FORBIDDEN':
        return answer(403, err.message, 'invalid_request_error', 'forbidden');
      case 'NOT_FOUND':
        return answer(404, err.message, 'invalid_request_error', 'model_not_found', 'model');
      case 'RATE_LIMITED':
        return withRetry(answer(429, err.message, 'requests', 'rate_limit_exceeded'));
      case 'QUOTA_EXCEEDED':
        if (err.httpStatus === 413)
          return answer(413, err.message, 'invalid_request_error', 'request_too_large');
        return answer(429, err.message, 'insufficient_quota', 'insufficient_quota');
      case 'MODEL_UNAVAILABLE':
      case 'PREDICT_TIMEOUT':
        return withRetry(
          answer(err.httpStatus, err.message, 'server_error', err.code.toLowerCase()),
        );
      default:
        return answer(500, 'Internal server error', 'server_error', null);
    }
  }
  const fastifyError = err as Partial<FastifyError> | null;
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = fastifyError?.message ?? 'Bad request';
    if (status === 413) return answer(413, message, 'invalid_request_error', 'request_too_large');
    if (status === 415)
      return answer(
        415,
        'Send the body as JSON (Content-Type: application/json)',
        'invalid_request_error',
        null,
      );
    return answer(
      400,
      fastifyError?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
        fastifyError?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'The body is not valid JSON'
        : message,
      'invalid_request_error',
      null,
    );
  }
  return answer(500, 'Internal server error', 'server_error', null);
}
