// The few public API calls the demo seed makes, as any client would make them.

/** Where the seed finds the API, and the key it calls it with. */
export interface DemoApi {
  /** The API's base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  key: string;
}

/** A GraphQL call; throws with the errors' messages. */
export async function gql<T>(
  api: DemoApi,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length || !body.data)
    throw new Error(body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}`);
  return body.data;
}

/** What `POST /v1/models/{name}/versions` answers (the fields the seed uses). */
export interface UploadedVersion {
  id: string;
  version: number;
}

/**
 * Uploads a bundle archive as the model's next version, as `curl --data-binary @model.tar`
 * does; the idempotency key makes a retry return the first version instead of a second one.
 */
export async function uploadBundle(
  api: DemoApi,
  model: string,
  archive: Buffer,
  idempotencyKey: string,
): Promise<UploadedVersion> {
  const res = await fetch(`${api.url}/v1/models/${encodeURIComponent(model)}/versions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${api.key}`,
      'content-type': 'application/x-tar',
      'idempotency-key': idempotencyKey,
    },
    body: archive,
  });
  const body = (await res.json().catch(() => ({}))) as Partial<UploadedVersion> & {
    error?: string;
  };
  if (res.status !== 201 || typeof body.id !== 'string' || typeof body.version !== 'number')
    throw new Error(`uploading ${model}: HTTP ${res.status} ${body.error ?? ''}`.trim());
  return { id: body.id, version: body.version };
}
