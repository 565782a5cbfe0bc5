import type { Types } from 'mongoose';
import type { SubmissionTargetsService } from '../forms/index.js';

/** Where a form's slots are counted (`SubmissionTargetsService`). */
export type SlotCounter = Pick<SubmissionTargetsService, 'takeResponseSlot' | 'releaseResponseSlot'>;

/**
 * One submission's claim on one of its form's response slots (the tenant's `max_responses_per_form`):
 * taken before the response is stored, kept once a new response was stored, released otherwise (a
 * replayed key, a failed write). Each step counts once however often it is called, so every way out
 * of a submission may simply release: a second release, or a release after `keep`, gives nothing back
 * twice, and a release while the slot is still being taken waits for it and then gives it back.
 */
export class ResponseSlot {
  private taking: Promise<void> | null = null;
  private held = false;
  private settled = false;

  constructor(
    private readonly counter: SlotCounter,
    private readonly formId: Types.ObjectId,
  ) {}

  /** Takes one of the form's slots, or fails with `403 quota_exceeded`; once taken, taking again takes nothing. */
  take(): Promise<void> {
    this.taking ??= this.counter.takeResponseSlot(this.formId).then(() => {
      this.held = true;
    });
    return this.taking;
  }

  /** The slot is the stored response's now: nothing gives it back but that response's erasure. */
  keep(): void {
    this.settled = true;
  }

  /** Gives the slot back unless it was kept, never taken, or given back already. */
  async release(): Promise<void> {
    if (this.settled || !this.taking) return;
    this.settled = true;
    await this.taking.catch(() => undefined);
    if (this.held) await this.counter.releaseResponseSlot(this.formId);
  }
}
