import 'reflect-metadata';
import { bootstrapWorker } from './bootstrap/worker.js';

await bootstrapWorker();
