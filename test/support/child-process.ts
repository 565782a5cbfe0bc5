import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  stdout(): string;
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  exit(): Promise<number | null>;
}

/**
 * Starts `node <args>` with the current environment plus `env`, collecting its output; `node` is the
 * running Node unless another binary is named (the supported-versions test).
 */
export function startNode(args: string[], env: Record<string, string> = {}, node = process.execPath): RunningProcess {
  const child = spawn(node, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let stdout = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    stdout: () => stdout,
    exit: () => exited,
    waitForOutput: async (text, timeoutMs = 15_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`"${text}" did not appear; output so far:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

/** The TCP ports a process listens on, read from /proc (Linux). */
export function listeningPorts(pid: number): number[] {
  return listeningSockets(pid).map((socket) => socket.port);
}

/** The TCP sockets a process listens on, with their local address in /proc's hex form (`0100007F` is 127.0.0.1). */
export function listeningSockets(pid: number): { address: string; port: number }[] {
  const socketInodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined;
        }
      })
      .filter((inode): inode is string => inode !== undefined),
  );
  const LISTEN = '0A';
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((columns) => columns[3] === LISTEN && socketInodes.has(columns[9]))
      .map((columns) => {
        const [address, port] = columns[1].split(':');
        return { address, port: parseInt(port, 16) };
      }),
  );
}
