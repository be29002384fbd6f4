// REST uploads (ONNX models, CSV datasets) with progress: fetch() cannot report upload progress,
// XMLHttpRequest can. The API answers errors as {"error": "...", "code": "..."}.
import type { ApiErrorInfo } from './api-error';

export interface UploadOptions {
  url: string;
  apiKey: string;
  body: Blob;
  contentType: string;
  /** 0..1 as bytes leave the browser. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export type UploadResult<T> = { ok: true; value: T } | { ok: false; error: ApiErrorInfo };

/** POSTs `body`; resolves with the parsed JSON answer or the API's error. Never rejects. */
export function uploadWithProgress<T>(options: UploadOptions): Promise<UploadResult<T>> {
  const { url, apiKey, body, contentType, onProgress, signal } = options;
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('authorization', `Bearer ${apiKey}`);
    xhr.setRequestHeader('content-type', contentType);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => resolve(parseUploadAnswer<T>(xhr.status, xhr.responseText));
    xhr.onerror = () =>
      resolve({
        ok: false,
        error: {
          message:
            'The upload could not reach the API (network error, or the API refused this origin).',
          code: 'NETWORK_ERROR',
        },
      });
    xhr.onabort = () =>
      resolve({ ok: false, error: { message: 'Upload cancelled.', code: 'ABORTED' } });
    signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(body);
  });
}

/** Reads the REST answer: 2xx JSON is the value; anything else becomes the API's message. */
export function parseUploadAnswer<T>(status: number, text: string): UploadResult<T> {
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (status >= 200 && status < 300) return { ok: true, value: json as T };
  const body = (json ?? {}) as { error?: unknown; message?: unknown; code?: unknown };
  const message =
    typeof body.error === 'string'
      ? body.error
      : typeof body.message === 'string'
        ? body.message
        : status === 413
          ? 'The file is larger than the API accepts (MAX_UPLOAD_BYTES).'
          : `The API answered HTTP ${status}.`;
  const code =
    typeof body.code === 'string'
      ? body.code
      : status === 401
        ? 'UNAUTHENTICATED'
        : status === 403
          ? 'FORBIDDEN'
          : status === 404
            ? 'NOT_FOUND'
            : status === 413
              ? 'QUOTA_EXCEEDED'
              : undefined;
  return { ok: false, error: { message, code } };
}

/**
 * The Content-Type a model version upload is sent with, by the file's name: a bundle archive
 * (`.tar`, `.tar.gz` / `.tgz`, `.zip`) by its format, anything else as a single ONNX file.
 */
export function versionUploadContentType(fileName: string): string {
  const name = fileName.toLowerCase();
  if (name.endsWith('.tar')) return 'application/x-tar';
  if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) return 'application/gzip';
  if (name.endsWith('.zip')) return 'application/zip';
  return 'application/octet-stream';
}
