/**
 * A deterministic job id, `<event_id>.<handler>[.<part>…]`: queuing the same work twice (a relay
 * retry) finds the existing job instead of adding another. BullMQ refuses `:` in custom ids, so any
 * is replaced.
 */
export function jobIdFor(eventId: string, handler: string, ...parts: string[]): string {
  return [eventId, handler, ...parts].map((part) => part.replaceAll(':', '_')).join('.');
}
