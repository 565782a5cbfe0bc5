import { secretMatcher } from '../auth/secret-matcher.js';

/**
 * Who may read the metrics: anyone when no `METRICS_TOKEN` is set (the port is then expected to be
 * internal), otherwise only `Authorization: Bearer <METRICS_TOKEN>`.
 */
export function metricsAccess(token: string | undefined): (authorization: string | undefined) => boolean {
  if (!token) return () => true;
  const matches = secretMatcher(token);
  return (authorization) => matches(/^Bearer (.+)$/i.exec(authorization ?? '')?.[1]);
}
