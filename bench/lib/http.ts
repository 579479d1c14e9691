/**
 * A lean JSON-over-HTTP client for load generation: keep-alive sockets and nothing else, so that
 * the benchmark's own CPU goes to the server under test rather than to request validation.
 */
import http from 'node:http';

/** POSTs JSON requests to one server over a pool of keep-alive sockets. */
export function createJsonClient(base: string, sockets = 64) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  return {
    /** POSTs `body` to `path`; resolves with the parsed answer, rejects on a status of 400 or more. */
    post<T = unknown>(path: string, body: unknown): Promise<T> {
      const payload = Buffer.from(JSON.stringify(body));
      return new Promise((resolve, reject) => {
        const request = http.request(
          {
            host: url.hostname,
            port: url.port,
            path,
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/json', 'content-length': payload.length },
          },
          (response) => {
            const chunks: Buffer[] = [];
            response.on('data', (chunk: Buffer) => chunks.push(chunk));
            response.on('end', () => {
              const text = Buffer.concat(chunks).toString();
              if ((response.statusCode ?? 500) >= 400) reject(new Error(`${path}: ${response.statusCode} ${text}`));
              else resolve((text ? JSON.parse(text) : undefined) as T);
            });
            response.on('error', reject);
          },
        );
        request.on('error', reject);
        request.end(payload);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
