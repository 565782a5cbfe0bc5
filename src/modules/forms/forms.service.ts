import { randomBytes } from 'node:crypto';
import { HttpStatus, Injectable, OnModuleInit } from '@nestjs/common';
import { Types } from 'mongoose';
import type { Page } from '../../infrastructure/database/cursor-page.js';
import type { LifecycleState } from '../../infrastructure/database/last-changes.js';
import { isDuplicateKeyError } from '../../infrastructure/database/mongo-values.js';
import { LockBusyError, StoreLock } from '../../infrastructure/database/store-lock.js';
import { ApiError, type ErrorDetail } from '../../infrastructure/http/api-error.js';
import { ErrorCode } from '../../infrastructure/http/error-codes.js';
import { TenantContext } from '../../infrastructure/tenancy/tenant-context.js';
import { EventDispatcherService, EventEntitiesService, type EventPayload, EventType } from '../events/index.js';
import { UsersService } from '../users/index.js';
import { autoresponseProblems } from './autoresponse-rules.js';
import type { CreateFormDto, FormSettingsDto, UpdateFormDto } from './dto/form-input.dto.js';
import { withCaptchaSecret } from './form-captcha.js';
import { fieldDefinitionProblems } from './form-field-rules.js';
import type { FormField } from './form-field.types.js';
import { redirectSettingsProblems } from './form-redirect-urls.js';
import { slugify } from './form-slug.js';
import type { FormStatus, PublishedSnapshot } from './form.schema.js';
import { type FormRecord, FormsRepository } from './forms.repository.js';
import { SubmissionTargetsService } from './submission-targets.service.js';

/**
 * Authoring: forms, their working copy and publishing, within the tenant's quota. The versions it
 * publishes are read through `FormVersionsService`.
 * What submissions read of a form (its published version, its response slots) is
 * `SubmissionTargetsService`'s; every change made here clears that service's cache.
 */
@Injectable()
export class FormsService implements OnModuleInit {
  constructor(
    private readonly forms: FormsRepository,
    private readonly events: EventDispatcherService,
    private readonly entities: EventEntitiesService,
    private readonly users: UsersService,
    private readonly lock: StoreLock,
    private readonly submissionTargets: SubmissionTargetsService,
  ) {}

  onModuleInit(): void {
    const formEvents = [EventType.FormCreated, EventType.FormUpdated, EventType.FormPublished, EventType.FormArchived];
    this.entities.register(formEvents, (ids) => this.forms.changedAt(ids));
    this.entities.registerDeletion([EventType.FormDeleted], (ids) => this.forms.deletedAt(ids));
  }

  async create(input: CreateFormDto): Promise<FormRecord> {
    assertValidFields(input.fields);
    input.settings = withCaptchaSecret(input.settings, null);
    await this.assertValidSettings(input.settings, input.fields ?? []);
    const slug = await this.freeSlug(input);
    const id = new Types.ObjectId();
    const create = () =>
      this.forms
        .create({
          _id: id,
          title: input.title,
          slug,
          description: input.description ?? '',
          fields: input.fields ?? [],
          settings: input.settings,
          owner_id: ownerOfNewForm(),
        })
        .catch(rethrowDuplicateSlug);
    return this.withinFormQuota(() =>
      this.changed(
        EventType.FormCreated,
        id,
        { form_id: id.toHexString(), title: input.title, slug, status: 'draft' },
        create,
      ),
    );
  }

  /**
   * `max_forms` counts every form the tenant keeps, archived ones too (archiving is not a way around
   * it; deleting is). Counting then creating is a read followed by a write, so parallel creates could
   * all pass the count: the two run under one lock per tenant shared by every replica (the local store
   * has no transactions), as webhooks' quota does.
   */
  private async withinFormQuota(create: () => Promise<FormRecord>): Promise<FormRecord> {
    const { max_forms } = TenantContext.tenant().settings;
    const countThenCreate = async () => {
      if ((await this.forms.countKept()) >= max_forms) {
        throw ApiError.quotaExceeded(`This tenant may have at most ${max_forms} forms`);
      }
      return create();
    };
    try {
      return await this.lock.withLock(`forms:${TenantContext.tenantId()}`, countThenCreate);
    } catch (error) {
      if (error instanceof LockBusyError) throw ApiError.unavailable('Forms are being created; retry shortly');
      throw error;
    }
  }

  list(query: { status?: FormStatus; cursor?: string; limit: number }): Promise<Page<FormRecord>> {
    return this.forms.list(query);
  }

  async get(id: Types.ObjectId): Promise<FormRecord> {
    const form = await this.find(id);
    if (!form) throw ApiError.notFound('Form');
    return form;
  }

  /**
   * Which tenant owns a form, looked up across tenants: a browser's CORS preflight names no tenant.
   * Answers only the tenant id, never the form.
   */
  tenantOf(id: Types.ObjectId): Promise<string | null> {
    return TenantContext.runAsSystem('CORS: the tenant of a public form', () => this.forms.tenantOf(id), 'debug');
  }

  /** The form, or null when the current tenant has none with this id (for jobs, where 404 means nothing). */
  find(id: Types.ObjectId): Promise<FormRecord | null> {
    return this.forms.findById(id);
  }

  async update(id: Types.ObjectId, changes: UpdateFormDto): Promise<FormRecord> {
    assertValidFields(changes.fields);
    const current = await this.get(id);
    assertNotArchived(current);
    if (changes.settings) changes.settings = withCaptchaSecret(changes.settings, current.settings.captcha);
    await this.assertValidSettings(
      {
        honeypot_field: current.settings.honeypot_field,
        autoresponse: current.settings.autoresponse,
        ...changes.settings,
      },
      changes.fields ?? current.fields,
    );
    // Checked first: the local store reports a duplicate created by an update as an internal error.
    if (changes.slug !== undefined && (await this.forms.slugTaken(changes.slug, id))) throw slugTaken();
    const updated = await this.changed(
      EventType.FormUpdated,
      id,
      { form_id: id.toHexString(), changed: Object.keys(changes) },
      () => this.forms.update(id, changes).catch(rethrowDuplicateSlug),
    );
    if (!updated) throw ApiError.notFound('Form');
    return updated;
  }

  /**
   * Snapshots the working copy as the next version. The snapshot goes into the form itself in one
   * atomic, revision-checked write (so submissions never see a half-published form); the history copy
   * in `form_versions` follows and is re-written idempotently by the next publish if a crash lost it.
   */
  async publish(id: Types.ObjectId): Promise<FormRecord> {
    const form = await this.get(id);
    assertNotArchived(form);
    if (form.published) await this.forms.saveVersion(id, form.published);
    const snapshot: PublishedSnapshot = {
      version: form.version + 1,
      title: form.title,
      description: form.description,
      fields: form.fields,
      published_at: new Date(),
    };
    const published = await this.changed(
      EventType.FormPublished,
      id,
      { form_id: id.toHexString(), version: snapshot.version },
      async () => {
        const done = await this.forms.publish(id, form.revision, snapshot);
        if (done) await this.forms.saveVersion(id, snapshot);
        return done;
      },
    );
    if (!published) {
      throw ApiError.conflict('The form changed while it was being published; retry');
    }
    return published;
  }

  /** Archiving an archived form changes nothing and emits nothing. */
  async archive(id: Types.ObjectId): Promise<FormRecord> {
    const form = await this.get(id);
    if (form.status === 'archived') return form;
    const archived = await this.changed(
      EventType.FormArchived,
      id,
      { form_id: id.toHexString(), version: form.version },
      () => this.forms.archive(id),
    );
    return archived ?? this.get(id);
  }

  /**
   * 404 from now on (its slug is free again); the erasure of its responses, files, exports and
   * versions follows in the background, started by `form.deleted`.
   */
  async delete(id: Types.ObjectId): Promise<void> {
    const deleted = await this.changed(EventType.FormDeleted, id, { form_id: id.toHexString() }, () =>
      this.forms.markDeleted(id),
    );
    if (!deleted) throw ApiError.notFound('Form');
  }

  /** Whether the form is live, deleted and waiting for its erasure, or gone (erased or never there). */
  lifecycleState(id: Types.ObjectId): Promise<LifecycleState> {
    return this.forms.lifecycleState(id);
  }

  /** The last step of a deleted form's erasure (its versions, counter and document). */
  removeDeleted(id: Types.ObjectId): Promise<boolean> {
    return this.forms.removeDeleted(id);
  }

  /** Deleted forms whose erasure has not finished, deleted before `cutoff` (a lost or killed job). */
  deletedBefore(cutoff: Date, limit: number): Promise<Types.ObjectId[]> {
    return this.forms.idsDeletedBefore(cutoff, limit);
  }

  /**
   * Notifications carry respondents' answers, so they go to members only; the honeypot must not be a
   * field people fill.
   */
  private async assertValidSettings(settings: FormSettingsDto | undefined, fields: FormField[]): Promise<void> {
    const problems: ErrorDetail[] = [];
    const honeypot = settings?.honeypot_field;
    if (honeypot && fields.some((field) => field.key === honeypot)) {
      problems.push({ field: 'settings.honeypot_field', message: 'must not be the key of one of the form’s fields' });
    }
    problems.push(...autoresponseProblems(settings?.autoresponse, fields));
    const strangers = await this.users.nonMemberEmails(settings?.notification_emails ?? []);
    for (const email of strangers) {
      const index = settings?.notification_emails?.indexOf(email) ?? -1;
      problems.push({
        field: `settings.notification_emails.${index}`,
        message: 'must be the email of a member of this tenant',
      });
    }
    problems.push(...redirectSettingsProblems(settings, TenantContext.tenant().settings.allowed_origins));
    if (problems.length) throw ApiError.validation(problems);
  }

  private async freeSlug(input: CreateFormDto): Promise<string> {
    if (input.slug !== undefined) {
      if (await this.forms.slugTaken(input.slug)) throw slugTaken();
      return input.slug;
    }
    const base = slugify(input.title);
    return (await this.forms.slugTaken(base)) ? `${base}-${randomBytes(3).toString('hex')}` : base;
  }

  /** Writes a change of form `id` with its event, and drops the form from the submission cache. */
  private async changed<Type extends FormEventType, Result extends FormRecord | null>(
    type: Type,
    id: Types.ObjectId,
    payload: EventPayload<Type>,
    write: () => Promise<Result>,
  ): Promise<Result> {
    try {
      return await this.events.emitWith({
        type,
        entityId: payload.form_id,
        payload,
        write,
        happened: (form) => form !== null,
      });
    } finally {
      this.submissionTargets.forget(id);
    }
  }
}

/** The events of a form's own changes, each written with its change by `changed`. */
type FormEventType = 'form.created' | 'form.updated' | 'form.published' | 'form.archived' | 'form.deleted';

function assertValidFields(fields: FormField[] | undefined): void {
  const problems = fields ? fieldDefinitionProblems(fields) : [];
  if (problems.length) throw ApiError.validation(problems);
}

function assertNotArchived(form: FormRecord): void {
  if (form.status === 'archived') {
    throw new ApiError(HttpStatus.CONFLICT, ErrorCode.FormArchived, 'An archived form cannot be changed');
  }
}

function slugTaken(): ApiError {
  return ApiError.conflict('A form with this slug already exists');
}

function rethrowDuplicateSlug(error: unknown): never {
  if (isDuplicateKeyError(error)) throw slugTaken();
  throw error;
}

/** The member who creates it; for an API key, the owner who made the key. */
function ownerOfNewForm(): string {
  const actor = TenantContext.actor();
  return actor?.user_id ?? actor?.api_key_created_by ?? '';
}
