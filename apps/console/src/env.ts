// The console's configuration, read on the server at request time (never baked in at build time).
// Only the root layout imports this file: nothing else reads process.env.
import { normalizeApiUrl } from '@/lib/api-url';

/** Where the browser finds the API (MAAS_API_URL, default http://localhost:4000). */
export function readApiUrl(): string {
  return normalizeApiUrl(process.env.MAAS_API_URL);
}
