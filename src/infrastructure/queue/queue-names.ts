/** Every BullMQ queue of the system, declared once. */
export const QueueName = {
  diagnostics: 'diagnostics',
} as const;

export type QueueName = (typeof QueueName)[keyof typeof QueueName];
