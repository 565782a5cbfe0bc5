import { Injectable } from '@nestjs/common';
import type { Types } from 'mongoose';
import type { NamedFile } from './files.repository.js';

/**
 * Finds, among `ids`, files another feature keeps for itself without `purpose` on their record (an
 * export's CSV written before exports marked theirs).
 */
export type KeptFilesFinder = (ids: Types.ObjectId[]) => Promise<Types.ObjectId[]>;

/**
 * The files kept for something else (an export's): no response may name them and no response's
 * erasure takes them. Marked so on their record (`purpose`), or claimed by a finder the feature that
 * wrote them registered at start-up (`FilesService.registerKeptFiles`).
 */
@Injectable()
export class KeptFiles {
  private readonly finders: KeptFilesFinder[] = [];

  register(finder: KeptFilesFinder): void {
    this.finders.push(finder);
  }

  /** The ids (hex) of the files among `found` kept for something else. */
  async among(found: NamedFile[]): Promise<Set<string>> {
    const kept = new Set(found.filter((file) => file.purpose).map((file) => file._id.toHexString()));
    // Only a file bound to no form and unmarked may be an older export's.
    const unmarked = found.filter((file) => !file.purpose && !file.form_id).map((file) => file._id);
    if (unmarked.length) {
      for (const finder of this.finders) {
        for (const id of await finder(unmarked)) kept.add(id.toHexString());
      }
    }
    return kept;
  }
}
