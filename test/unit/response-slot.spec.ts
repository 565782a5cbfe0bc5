import { describe, expect, it } from '@jest/globals';
import { Types } from 'mongoose';
import { ApiError } from '../../src/infrastructure/http/api-error.js';
import { ResponseSlot } from '../../src/modules/responses/response-slot.js';

/** A form's slot counter that refuses past `limit`, as the forms module's does. */
function counter(limit = 1) {
  const state = { taken: 0, takes: 0, releases: 0 };
  return {
    state,
    async takeResponseSlot() {
      state.takes += 1;
      if (state.taken >= limit) throw ApiError.quotaExceeded('full');
      state.taken += 1;
    },
    async releaseResponseSlot() {
      state.releases += 1;
      state.taken -= 1;
    },
  };
}

const slotOf = (slots: ReturnType<typeof counter>) => new ResponseSlot(slots, new Types.ObjectId());

describe("a submission's response slot", () => {
  it('gives a slot back once however often it is released', async () => {
    const slots = counter();
    const slot = slotOf(slots);
    await slot.take();
    await slot.release();
    await slot.release();
    expect(slots.state).toEqual({ taken: 0, takes: 1, releases: 1 });
  });

  it('keeps a kept slot: releasing it afterwards gives nothing back', async () => {
    const slots = counter();
    const slot = slotOf(slots);
    await slot.take();
    slot.keep();
    await slot.release();
    expect(slots.state).toEqual({ taken: 1, takes: 1, releases: 0 });
  });

  it('takes one slot however often it is taken', async () => {
    const slots = counter(5);
    const slot = slotOf(slots);
    await Promise.all([slot.take(), slot.take()]);
    await slot.take();
    expect(slots.state).toEqual({ taken: 1, takes: 1, releases: 0 });
  });

  it('gives nothing back for a slot never taken, or refused', async () => {
    const slots = counter(0);
    await slotOf(slots).release();
    const refused = slotOf(slots);
    await expect(refused.take()).rejects.toBeInstanceOf(ApiError);
    await refused.release();
    expect(slots.state).toEqual({ taken: 0, takes: 1, releases: 0 });
  });

  it('waits for a slot still being taken before giving it back', async () => {
    const slots = counter();
    const slot = slotOf(slots);
    const taking = slot.take();
    await slot.release();
    await taking;
    expect(slots.state).toEqual({ taken: 0, takes: 1, releases: 1 });
  });
});
