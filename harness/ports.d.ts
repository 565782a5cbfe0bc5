import type { ChildProcess } from 'node:child_process';

export function freePort(): Promise<number>;
export function portAnswers(port: number): Promise<boolean>;
export function waitForPort(port: number, name: string, child?: ChildProcess): Promise<void>;
export function waitForHttp(url: string): Promise<void>;
