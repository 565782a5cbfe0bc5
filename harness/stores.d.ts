export interface RunningStore {
  name: string;
  url: string;
  stop(): Promise<void>;
}

export interface RunningRedis extends RunningStore {
  port: number;
}

export function startRedisServer(port?: number): Promise<RunningRedis>;
export interface RunningMongo extends RunningStore {
  port: number;
  /** Stops the store, keeping its data; `restart()` starts it again on the same port (then `stop()` as usual). */
  outage(): Promise<{ restart(): Promise<void> }>;
}

export function startMongoStore(): Promise<RunningMongo>;
export function mongoStoreCommand(dataDir: string, port: number): { name: string; command: string; args: string[] };
