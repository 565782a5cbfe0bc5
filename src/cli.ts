// First: refuses an unsupported Node with one line before any native module loads.
import './bootstrap/require-supported-node.js';
import 'reflect-metadata';
import mongoose from 'mongoose';
import { CommandFactory } from 'nest-commander';
import { loadEnvironmentOrExit } from './bootstrap/environment.js';
import { CliModule } from './cli.module.js';
import { AppLogger } from './infrastructure/logging/app-logger.js';
import { createRootLogger } from './infrastructure/logging/root-logger.js';

loadEnvironmentOrExit();
// An operator command never changes the database just by starting: the API and the worker create the
// collections and indexes the schemas declare, the CLI does not (the app's tenant-prefixed unique
// indexes must not be built on v1 collections before migration 001 has run, and a dry run writes nothing).
mongoose.set('autoCreate', false);
mongoose.set('autoIndex', false);
// Commands print their own results; the framework's start-up chatter would only bury them.
await CommandFactory.run(CliModule, { logger: new AppLogger(createRootLogger('warn', 'cli')) });
