export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  /** The HTML part, or '' when the email has none. */
  html: string;
  messageId?: string;
  /** The Reply-To header's addresses, as text; undefined when there is none. */
  replyTo?: string;
  /** The header block as sent, one entry per header (folded lines joined). */
  headerLines: string[];
}

export interface SmtpSink {
  url: string;
  messages: ReceivedMail[];
  /** The next `count` messages are refused with a temporary error (451). */
  failNext(count: number): void;
  stop(): Promise<void>;
}

export function startSmtpSink(options?: { delayMs?: number }): Promise<SmtpSink>;
