/** Every BullMQ queue of the system, declared once. */
export const QueueName = {
  diagnostics: 'diagnostics',
  email: 'email',
  webhook: 'webhook',
  export: 'export',
  housekeeping: 'housekeeping',
  erasure: 'erasure',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];
