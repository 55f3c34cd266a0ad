import { request } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly contentType: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  readonly body: unknown;
}

/** One HTTP request with the path sent exactly as given (fetch would resolve dot segments and re-encode). */
export function rawRequest(port: number, method: string, path: string, options: { token?: string | undefined; body?: unknown; headers?: Record<string, string>; localAddress?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    let payload: Buffer | undefined;
    if (options.body !== undefined) {
      payload = Buffer.from(typeof options.body === 'string' ? options.body : JSON.stringify(options.body));
      headers['content-type'] ??= 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false, ...(options.localAddress !== undefined ? { localAddress: options.localAddress } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), headers: res.headers, text, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** A problem body (RFC 9457 with our stable code). */
export function isProblem(r: RawResponse): boolean {
  const b = r.body as Record<string, unknown> | undefined;
  return r.contentType.startsWith('application/problem+json') && b !== undefined && typeof b.code === 'string' && b.code.startsWith('GW_ERR_') && b.status === r.status && typeof b.title === 'string' && typeof b.detail === 'string';
}
