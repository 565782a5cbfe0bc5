import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { CliModule } from './cli.module.js';
import { loadEnvironmentOrExit } from './bootstrap/environment.js';
import { AppLogger } from './infrastructure/logging/app-logger.js';
import { createRootLogger } from './infrastructure/logging/root-logger.js';

loadEnvironmentOrExit();
// Commands print their own results; the framework's start-up chatter would only bury them.
await CommandFactory.run(CliModule, { logger: new AppLogger(createRootLogger('warn', 'cli')) });
