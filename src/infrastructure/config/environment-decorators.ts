import { applyDecorators } from '@nestjs/common';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateBy } from 'class-validator';
import ipaddr from 'ipaddr.js';

/**
 * The rules the variables of `Environment` share, each stack under one name. Every stack lists its
 * decorators top to bottom as they would be written on the property, and applies them as stacked
 * decorators are applied (bottom first): a bad value keeps being reported with the same first reason.
 */
const stacked = (...decorators: PropertyDecorator[]): PropertyDecorator => applyDecorators(...decorators.reverse());

/** `.env.example` ships placeholders starting with `change-me`; running with them would be a known secret. */
const NOT_PLACEHOLDER = /^(?!change-me)/;

const toBoolean = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['true', '1', 'yes'].includes(value.toLowerCase()) : value;

/** A whole number of at least `min` (and at most `max`), read from its string. */
export function IntVar({ min, max }: { min: number; max?: number }): PropertyDecorator {
  return stacked(
    Type(() => Number),
    IsInt(),
    Min(min),
    ...(max === undefined ? [] : [Max(max)]),
  );
}

/** An http(s) URL (a third party's API, pointed at a local stand-in by tests). */
export function HttpUrlVar(): PropertyDecorator {
  return Matches(/^https?:\/\/[^\s/]+(\/\S*)?$/, { message: 'must be an http(s) URL' });
}

/** `true`, `1` or `yes` (any case) read as true; any other string as false. */
export function BoolVar(): PropertyDecorator {
  return stacked(Transform(toBoolean), IsBoolean());
}

/** An empty value counts as unset, so `VAR=` in a `.env` file leaves an optional variable out. */
export function EmptyAsUnset(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (value === '' ? undefined : value));
}

/** A secret of at least `minLength` characters that is not the `.env.example` placeholder. */
export function SecretVar({
  minLength,
  optional = false,
}: {
  minLength: number;
  optional?: boolean;
}): PropertyDecorator {
  return stacked(
    ...(optional ? [EmptyAsUnset(), IsOptional()] : []),
    IsString(),
    MinLength(minLength, { message: `must be at least ${minLength} characters` }),
    Matches(NOT_PLACEHOLDER, { message: 'must be replaced by a random secret' }),
  );
}

/** A proxy hop count, or a list of proxy addresses and CIDR ranges. */
export function IsTrustProxySetting(): PropertyDecorator {
  return ValidateBy({
    name: 'isTrustProxySetting',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        (value === '' ||
          /^\d+$/.test(value) ||
          value.split(',').every((entry) => ipaddr.isValid(entry.trim()) || ipaddr.isValidCIDR(entry.trim()))),
      defaultMessage: () => 'must be a hop count or a comma-separated list of IP addresses and CIDR ranges',
    },
  });
}
