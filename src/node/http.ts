/**
 * A small HTTP(S) client for nodes talking to the coordinator: keep-alive agents, an optional
 * private CA, bounded response sizes and timeouts. (Node's global fetch cannot take a CA per
 * request, which a bank's private PKI needs.)
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpClientOptions {
  /** PEM of the CA that signed the coordinator's certificate. */
  readonly ca?: string | Buffer;
  /** Largest response body accepted (default 64 MiB). */
  readonly maxResponseBytes?: number;
}

/** A keep-alive HTTP(S) client bound to one base URL. */
export class HttpClient {
  readonly baseUrl: URL;
  private readonly agent: http.Agent;
  private readonly maxResponseBytes: number;

  constructor(baseUrl: string, options: HttpClientOptions = {}) {
    this.baseUrl = new URL(baseUrl);
    if (this.baseUrl.protocol !== 'http:' && this.baseUrl.protocol !== 'https:') throw new TypeError(`coordinator URL: expected http:// or https://, got ${baseUrl}`);
    this.agent = this.baseUrl.protocol === 'https:' ? new https.Agent({ keepAlive: true, ca: options.ca }) : new http.Agent({ keepAlive: true });
    this.maxResponseBytes = options.maxResponseBytes ?? 64 * 2 ** 20;
  }

  /** Send a request; resolves with the whole response (any status), rejects on network errors. */
  request(method: string, path: string, options: { headers?: Record<string, string>; body?: Uint8Array; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<HttpResponse> {
    const url = new URL(path, this.baseUrl);
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, {
        method, agent: this.agent, signal: options.signal,
        headers: { ...options.headers, ...(options.body ? { 'content-length': String(options.body.length) } : {}) },
        timeout: options.timeoutMs ?? 30_000,
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            req.destroy(new Error(`response larger than ${this.maxResponseBytes} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`no response within ${options.timeoutMs ?? 30_000} ms`)));
      req.on('error', reject);
      if (options.body) req.write(options.body);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
