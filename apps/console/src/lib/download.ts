// Downloads a file that needs the bearer key (a plain link cannot send it).
import type { ApiErrorInfo } from './api-error';
import { describeNetworkError } from './api-error';
import { parseUploadAnswer } from './upload';

/** Fetches `url` with the key and saves it as `fileName`; returns the error to show, if any. */
export async function downloadWithKey(
  url: string,
  apiKey: string,
  fileName: string,
): Promise<ApiErrorInfo | null> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } });
  } catch (err) {
    return { message: describeNetworkError(err as Error), code: 'NETWORK_ERROR' };
  }
  if (!response.ok) {
    const answer = parseUploadAnswer(response.status, await response.text());
    return answer.ok ? null : answer.error;
  }
  const blob = await response.blob();
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return null;
}
