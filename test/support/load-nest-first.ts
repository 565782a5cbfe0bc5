/**
 * Evaluates Nest's ESM core before a test file's own imports are linked. Jest links a test's import
 * graph before evaluating it and runs CommonJS dependencies while linking, so a CommonJS package that
 * `require()`s `@nestjs/common` or `@nestjs/core` (e.g. `@nestjs-modules/mailer`, `@nestjs/throttler`) would reach it mid-link, and jest
 * refuses that as a require(esm) cycle. Loaded first, they are already evaluated (Node >= 24.9).
 */
import '@nestjs/common';
import '@nestjs/core';
