import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One verify request as the provider received it (the form-encoded fields). */
export interface VerifyRequest {
  provider: string;
  contentType: string | undefined;
  secret: string | null;
  response: string | null;
  remoteip: string | null;
}

export interface CaptchaProviderStandIn {
  /** The verify URL of `provider` (`turnstile`, `hcaptcha`, `recaptcha`) on this stand-in. */
  url: (provider: string) => string;
  received: VerifyRequest[];
  /** Refuses connections (the port is closed) until `start` opens it again. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

/**
 * The three providers' verify APIs (Turnstile, hCaptcha and reCAPTCHA share the protocol): a
 * form-encoded POST of `secret`, `response` and `remoteip`, answered with JSON `{ success,
 * "error-codes" }`. The token decides the answer, as a real provider's would:
 * - `pass…`: `{ success: true }`;
 * - `refuse…`: `{ success: false, "error-codes": ["invalid-input-response"] }`;
 * - `provider-fault…`: `{ success: false, "error-codes": ["internal-error"] }` (Turnstile's "retry");
 * - `slow…`: passes after `slowMs`; `status-500…`: a 500; `html…`: a 200 that is not JSON;
 * - `no-success…`: JSON without `success`.
 * Any other secret than `secrets[provider]` gets `invalid-input-secret`.
 */
export async function startCaptchaProvider(
  secrets: Record<string, string>,
  slowMs: number,
): Promise<CaptchaProviderStandIn> {
  const received: VerifyRequest[] = [];
  const server: Server = createServer((request, answer) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const provider = (request.url ?? '/').slice(1);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const token = form.get('response') ?? '';
      received.push({
        provider,
        contentType: request.headers['content-type'],
        secret: form.get('secret'),
        response: form.get('response'),
        remoteip: form.get('remoteip'),
      });
      const json = (body: object, status = 200) =>
        answer.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.method !== 'POST' || !(provider in secrets)) return json({ error: 'not found' }, 404);
      if (form.get('secret') !== secrets[provider])
        return json({ success: false, 'error-codes': ['invalid-input-secret'] });
      if (token.startsWith('pass')) return json({ success: true, 'error-codes': [] });
      if (token.startsWith('refuse')) return json({ success: false, 'error-codes': ['invalid-input-response'] });
      if (token.startsWith('provider-fault')) return json({ success: false, 'error-codes': ['internal-error'] });
      if (token.startsWith('slow')) return setTimeout(() => json({ success: true }), slowMs);
      if (token.startsWith('status-500')) return json({ success: true }, 500);
      if (token.startsWith('html')) return answer.writeHead(200, { 'content-type': 'text/html' }).end('<p>hello</p>');
      if (token.startsWith('no-success')) return json({ hostname: 'example.com' });
      return json({ success: false, 'error-codes': ['invalid-input-response'] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (provider) => `http://127.0.0.1:${port}/${provider}`,
    received,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    start: () => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve)),
  };
}
