import 'reflect-metadata';
import { bootstrapApi } from './bootstrap/api.js';

await bootstrapApi();
