/**
 * The one way the UI talks to the product API: same origin, session cookie, the CSRF token on
 * unsafe methods, problem+json errors turned into {@link ApiError}.
 */

/** One field or element a refusal names (deploy: `elementId`; forms: `field`). */
export interface ProblemIssue {
  elementId?: string;
  field?: string;
  message: string;
  rule?: string;
}

/** An RFC 9457 problem answer as the API sends it. */
export interface Problem {
  type?: string;
  /** The product's error code (src/api/errors.ts): what the UI translates. */
  code?: string;
  title?: string;
  status: number;
  detail?: string;
  issues?: ProblemIssue[];
}

/** A refused or failed request; `problem` is what the server said. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
}

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<() => void>();

/** Remembers the CSRF token handed out by sign-in or `GET /api/auth/me`. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Calls `listener` whenever the server says the session is gone (401); returns an unsubscribe. */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Options of one request. */
export interface RequestOptions {
  body?: unknown;
  /** Answer as text instead of JSON (XML, CSV). */
  text?: boolean;
  /** Do not report a 401 to the sign-in listeners (the sign-in check itself). */
  quiet401?: boolean;
  signal?: AbortSignal;
}

/** Sends one request and returns the parsed answer (undefined for 204). Throws {@link ApiError}. */
export async function request<T = unknown>(method: string, url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: options.text ? '*/*' : 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(url, {
    method,
    headers,
    credentials: 'same-origin',
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  if (!response.ok) {
    let problem: Problem = { status: response.status, title: response.statusText };
    try {
      problem = { ...problem, ...(await response.json()) };
    } catch {
      // Not problem+json (a proxy's error page): the status line is all there is.
    }
    if (response.status === 401 && !options.quiet401) unauthorizedListeners.forEach((listener) => listener());
    throw new ApiError(problem);
  }
  if (response.status === 204) return undefined as T;
  if (options.text) return (await response.text()) as T;
  const type = response.headers.get('content-type') ?? '';
  return (type.includes('json') ? await response.json() : await response.text()) as T;
}

/** `GET url` as JSON. */
export const get = <T,>(url: string, options?: RequestOptions) => request<T>('GET', url, options);
/** `POST url` with a JSON body. */
export const post = <T,>(url: string, body?: unknown) => request<T>('POST', url, { body: body ?? {} });
/** `PUT url` with a JSON body. */
export const put = <T,>(url: string, body: unknown) => request<T>('PUT', url, { body });
/** `PATCH url` with a JSON body. */
export const patch = <T,>(url: string, body: unknown) => request<T>('PATCH', url, { body });
/** `DELETE url`. */
export const del = <T,>(url: string) => request<T>('DELETE', url);

/** A query string of the non-empty values of `params` (with its `?`), or ''. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
