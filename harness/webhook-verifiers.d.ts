/** A delivery to verify: the webhook's secret, the headers and the raw body as received. */
export interface VerificationCase {
  secret: string;
  headers: Record<string, unknown>;
  body: Buffer | string;
}

/** The Node snippet's `verifyWebhook` of docs/api.md, run as written: the event, or it throws. */
export function documentedNodeVerifier(): Promise<
  (secret: string, headers: Record<string, unknown>, rawBody: string | Buffer) => unknown
>;

/** The Python snippet of docs/api.md, run by the virtualenv's interpreter: "ok" or the error raised, per case. */
export function documentedPythonVerifier(): (cases: VerificationCase[]) => Promise<string[]>;
