// First: refuses an unsupported Node with one line before any native module loads.
import './bootstrap/require-supported-node.js';
import 'reflect-metadata';
import { bootstrapApi } from './bootstrap/api.js';

await bootstrapApi();
