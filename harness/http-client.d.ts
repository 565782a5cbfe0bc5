export interface Answer<T = unknown> {
  status: number;
  body: T;
  ms: number;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
}

/** A running app as the drills start it: its base URL, admin key and environment. */
export interface RunningApp {
  base: string;
  adminKey: string;
  settings: Record<string, string>;
}

export interface Owner {
  tenant: string;
  email: string;
  headers: { authorization: string };
}

export function call<T = unknown>(base: string, path: string, options?: CallOptions): Promise<Answer<T>>;
export function expectStatus<T = unknown>(pending: Promise<Answer<T>>, status: number, what: string): Promise<T>;
export function post<T = unknown>(
  base: string,
  path: string,
  options?: { headers?: Record<string, string>; body?: unknown },
): Promise<T>;
export function tenantWithOwner(app: RunningApp, settings?: object, tenantId?: string): Promise<Owner>;
export function publishedForm(app: RunningApp, owner: Owner): Promise<string>;
export function submit(app: RunningApp, tenant: string, formId: string, email: string): Promise<Answer>;
export function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  intervalMs?: number,
): Promise<T>;
