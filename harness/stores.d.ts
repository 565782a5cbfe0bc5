export interface RunningStore {
  name: string;
  url: string;
  stop(): Promise<void>;
}

export interface RunningRedis extends RunningStore {
  port: number;
}

export function startRedisServer(port?: number): Promise<RunningRedis>;
export function startMongoStore(): Promise<RunningStore>;
export function mongoStoreCommand(dataDir: string, port: number): { name: string; command: string; args: string[] };
