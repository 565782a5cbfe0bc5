/** The forms module's public surface: the rest of src/ imports it from here, and only from here. */
export { FormsModule } from './forms.module.js';
export { FormsService } from './forms.service.js';
export { FormVersionsService } from './form-versions.service.js';
export { type SubmissionTarget, SubmissionTargetsService } from './submission-targets.service.js';
export type { FormField } from './form-field.types.js';
export type { CaptchaProvider, FormCaptcha } from './form-captcha.js';
