/** Every BullMQ queue of the system, declared once. */
export const QueueName = {
  Diagnostics: 'diagnostics',
  Email: 'email',
  Webhook: 'webhook',
  Export: 'export',
  Housekeeping: 'housekeeping',
  Erasure: 'erasure',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];
