// An S3-compatible bucket in memory, plugged in as the request handler of a real S3Client (the
// SDK's own seam for its HTTP layer): the store's S3 calls are serialised, signed and parsed by the
// SDK as usual, and only the wire is replaced. Enough of the protocol for the artifact store:
// PutObject, CopyObject, GetObject, HeadObject and DeleteObject, path-style.
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';

interface WireRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

interface WireResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Readable;
}

const xml = (text: string) => Readable.from([Buffer.from(text)]);

async function bodyBytes(body: unknown): Promise<Buffer> {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof Uint8Array) return Buffer.from(body);
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A bucket's objects by key, and a client whose requests they answer. */
export class MemoryS3 {
  readonly objects = new Map<string, Buffer>();
  /** Awaited before each request is answered: lets a test hold one request mid-flight. */
  beforeRequest: (method: string, key: string) => Promise<void> = () => Promise.resolve();

  constructor(readonly bucket: string) {}

  client(): S3Client {
    return new S3Client({
      region: 'us-east-1',
      endpoint: 'http://s3.memory.test',
      forcePathStyle: true,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      requestHandler: {
        handle: async (request: WireRequest) => ({ response: await this.answer(request) }),
        updateHttpClientConfig: () => undefined,
        httpHandlerConfigs: () => ({}),
      },
    });
  }

  private keyOf(path: string): string {
    const prefix = `/${this.bucket}/`;
    if (!path.startsWith(prefix)) throw new Error(`Unexpected bucket in ${path}`);
    return decodeURIComponent(path.slice(prefix.length));
  }

  private async answer(request: WireRequest): Promise<WireResponse> {
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const key = this.keyOf(request.path);
    await this.beforeRequest(request.method, key);
    const ok = (extra: Record<string, string> = {}, body = xml('')) => ({
      statusCode: 200,
      headers: { etag: '"memory"', ...extra },
      body,
    });
    const missing = (): WireResponse => ({
      statusCode: 404,
      headers: { 'content-type': 'application/xml' },
      body: xml(
        request.method === 'HEAD'
          ? ''
          : '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>' +
              '<Message>The specified key does not exist.</Message></Error>',
      ),
    });
    switch (request.method) {
      case 'PUT': {
        const copySource = headers['x-amz-copy-source'];
        if (copySource) {
          const sourceKey = decodeURIComponent(copySource.replace(/^\/?[^/]+\//, ''));
          const source = this.objects.get(sourceKey);
          if (!source) return missing();
          this.objects.set(key, source);
          return ok(
            { 'content-type': 'application/xml' },
            xml(
              '<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>"memory"</ETag>' +
                '<LastModified>2026-01-01T00:00:00.000Z</LastModified></CopyObjectResult>',
            ),
          );
        }
        this.objects.set(key, await bodyBytes(request.body));
        return ok();
      }
      case 'GET':
      case 'HEAD': {
        const object = this.objects.get(key);
        if (!object) return missing();
        return ok(
          { 'content-length': String(object.length) },
          request.method === 'GET' ? Readable.from([object]) : xml(''),
        );
      }
      case 'DELETE':
        this.objects.delete(key);
        return { statusCode: 204, headers: {}, body: xml('') };
      default:
        throw new Error(`MemoryS3 does not answer ${request.method}`);
    }
  }
}
