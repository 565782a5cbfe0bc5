import { Readable } from 'node:stream';
import type { ByteReservation } from '../../infrastructure/rate-limit/daily-byte-allowance.js';

/**
 * Bytes taken from the allowance at a time, as an upload's bytes arrive: what an upload holds beyond
 * what it has sent is less than this, so slow uploads (a trickling body, an inflated Content-Length)
 * cannot hold the day's allowance between them: holding it takes sending it, or one open upload per
 * 64 KiB of it. Each step is one Redis round trip; the storage writes 255 KiB chunks.
 */
export const ALLOWANCE_STEP_BYTES = 64 * 1024;

/**
 * The upload's bytes, each passed on only once `reservation` covers it, taken a step ahead (at most
 * up to `ceiling`: what the request can carry, at most FILE_MAX_BYTES). Nothing is taken before the
 * first byte. When the allowance cannot cover a byte, the stream fails with `usedUp()`. Bytes past
 * `maxBytes` are passed on uncounted: the storage refuses the file at `maxBytes` (`413`) anyway.
 */
export function meteredUpload(
  content: Readable,
  reservation: ByteReservation,
  limits: { ceiling: number; maxBytes: number },
  usedUp: () => Error,
): Readable {
  async function* covered(): AsyncGenerator<Buffer> {
    let received = 0;
    // Leaving the loop (a throw, or the consumer destroying this stream) destroys `content` too.
    for await (const bytes of content as AsyncIterable<Buffer>) {
      received += bytes.length;
      if (received > reservation.granted && received <= limits.maxBytes) {
        const target = Math.max(received, Math.min(limits.ceiling, reservation.granted + ALLOWANCE_STEP_BYTES));
        await reservation.take(target - reservation.granted);
        if (reservation.granted < received) throw usedUp();
      }
      yield bytes;
    }
  }
  return Readable.from(covered(), { objectMode: false });
}
