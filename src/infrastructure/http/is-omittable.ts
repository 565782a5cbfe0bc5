import { ValidateIf } from 'class-validator';

/**
 * Like `@IsOptional()`, but only a key left out skips validation: `null` is checked like any other
 * value (and refused with a 400 by the type check), instead of reaching the service as "no value"
 * and failing there. Keep `@IsOptional()` for the fields the contract lets clients set to null.
 */
export function IsOmittable(): PropertyDecorator {
  return ValidateIf((_object: object, value: unknown) => value !== undefined);
}
