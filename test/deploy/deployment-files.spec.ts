import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

/**
 * The deployment as written: docker-compose.yml checked by the Compose specification's own loader
 * (compose-go, `tools/compose-check`), the Prometheus config and alert rules by `promtool`, every
 * alert with unit tests (deploy/prometheus/alerts.test.yml), and the image's basics.
 */
const COMPOSE_CHECK = join(process.cwd(), '.tools', 'bin', 'compose-check');
const SECRETS = { JWT_SECRET: 'x'.repeat(64), ADMIN_API_KEY: 'y'.repeat(48) };
const scratch = mkdtempSync(join(tmpdir(), 'form-backend-deploy-'));

function run(command: string, args: string[], env: Record<string, string> = {}, cwd = process.cwd()) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('deployment files', () => {
  beforeAll(() => {
    execFileSync('bash', ['-c', 'source scripts/lib.sh && ensure_deploy_checkers'], { stdio: 'inherit' });
  }, 600_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('docker-compose.yml is valid Compose: every service, with the secrets it demands', () => {
    // Checked from a copy, so that a developer's .env next to the real file cannot fill the secrets in.
    copyFileSync('docker-compose.yml', join(scratch, 'docker-compose.yml'));
    const valid = run(COMPOSE_CHECK, ['docker-compose.yml'], SECRETS, scratch);
    expect(valid).toEqual({
      code: 0,
      output: 'valid: docker-compose.yml (services: [alertmanager api mail mongo prometheus redis worker])\n',
    });

    const withoutSecret = run(COMPOSE_CHECK, ['docker-compose.yml'], { ADMIN_API_KEY: SECRETS.ADMIN_API_KEY }, scratch);
    expect(withoutSecret.code).toBe(1);
    expect(withoutSecret.output).toContain('required variable JWT_SECRET is missing a value');
  });

  it('the validator refuses what the Compose specification does not allow', () => {
    writeFileSync(
      join(scratch, 'broken.yml'),
      'services:\n  api:\n    image: x\n    restart: sometimes\n    portz: [1]\n',
    );
    const broken = run(COMPOSE_CHECK, ['broken.yml'], {}, scratch);
    expect(broken.code).toBe(1);
    expect(broken.output).toMatch(/invalid: broken\.yml: .*portz/);
  });

  it('compose runs MongoDB 7 as a replica set, Redis with AOF, Mailpit on loopback, and read-only app containers', () => {
    const compose = readFileSync('docker-compose.yml', 'utf8');
    expect(compose).toContain('image: mongo:7');
    expect(compose).toContain("command: ['mongod', '--replSet', 'rs0', '--bind_ip_all']");
    expect(compose).toContain('MONGO_URL: mongodb://mongo:27017/form_backend?replicaSet=rs0');
    expect(compose).toContain('quit(db.hello().isWritablePrimary ? 0 : 1)');
    expect(compose).toContain("command: ['redis-server', '--appendonly', 'yes'");
    expect(compose).toContain("- '127.0.0.1:8025:8025'");
    expect(compose).toContain('read_only: true');
  });

  it('promtool accepts the Prometheus config and the rules, and every alert passes its unit tests', () => {
    const config = run('promtool', ['check', 'config', 'deploy/prometheus/prometheus.yml']);
    expect(config.code).toBe(0);
    expect(config.output).toContain('SUCCESS: 11 rules found');

    const tests = run('promtool', ['test', 'rules', 'deploy/prometheus/alerts.test.yml']);
    expect(tests).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });

    const alerts = [...readFileSync('deploy/prometheus/alerts.yml', 'utf8').matchAll(/- alert: (\w+)/g)].map(
      (m) => m[1],
    );
    const unitTests = readFileSync('deploy/prometheus/alerts.test.yml', 'utf8');
    const firing = new Set([...unitTests.matchAll(/alertname: (\w+)\n\s+exp_alerts:/g)].map((match) => match[1]));
    expect(alerts.sort()).toEqual([
      'FormBackendApi5xxRatioHigh',
      'FormBackendApiLatencyP90High',
      'FormBackendEventsUndelivered',
      'FormBackendNoTargets',
      'FormBackendQueueBacklog',
      'FormBackendQueueStale',
      'FormBackendRedisAvailabilityLow',
      'FormBackendRedisDown',
      'FormBackendTargetDown',
      'FormBackendTaskFailureRatioHigh',
    ]);
    expect([...firing].sort()).toEqual(alerts);
  });

  it('Prometheus finds every API and worker replica by DNS and sends its alerts to the compose Alertmanager', () => {
    const prometheus = readFileSync('deploy/prometheus/prometheus.yml', 'utf8');
    // One target per container behind the compose service name: `--scale worker=3` gives 3 instances.
    expect(prometheus).toContain("dns_sd_configs:\n      - names: ['api']\n        type: A\n        port: 3000");
    expect(prometheus).toContain("dns_sd_configs:\n      - names: ['worker']\n        type: A\n        port: 9100");
    expect(prometheus).not.toContain("static_configs:\n      - targets: ['api");
    expect(prometheus).toContain(
      "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['alertmanager:9093']",
    );

    const compose = readFileSync('docker-compose.yml', 'utf8');
    expect(compose).toContain("WORKER_METRICS_PORT: '9100'");
    expect(compose).toContain('- ./deploy/alertmanager:/etc/alertmanager-source:ro');
    expect(compose).toContain('/bin/sh /etc/alertmanager-source/render-config.sh');
    // The app and Alertmanager take their mail settings from one place.
    expect(compose.match(/<<: \*mail/g)).toHaveLength(2);
    expect(compose).toContain("- '127.0.0.1:9093:9093'");
  });

  it('promtool fails a rule test that expects the wrong thing (the tests can fail)', () => {
    const wrong = readFileSync('deploy/prometheus/alerts.test.yml', 'utf8').replace(
      "summary: '1500 jobs waiting in email",
      "summary: '1499 jobs waiting in email",
    );
    writeFileSync(join(scratch, 'alerts.test.yml'), wrong);
    copyFileSync('deploy/prometheus/alerts.yml', join(scratch, 'alerts.yml'));
    const failed = run('promtool', ['test', 'rules', join(scratch, 'alerts.test.yml')]);
    expect(failed.code).toBe(1);
    expect(failed.output).toContain('FAILED');
  });

  it('the image runs Node 24 as the unprivileged node user', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    expect(dockerfile.match(/^FROM node:(\S+)/gm)).toEqual([
      'FROM node:24-bookworm-slim',
      'FROM node:24-bookworm-slim',
    ]);
    const lines = dockerfile.trim().split('\n');
    expect(lines.indexOf('USER node')).toBeGreaterThan(
      lines.findIndex((line) => line.startsWith('FROM node:24') && line.includes('runtime')),
    );
    expect(lines.at(-1)).toBe('CMD ["node", "dist/main.js"]');
  });

  it('copies into the build stage the script `npm run build` runs', () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    const buildScript = /^node (\S+)$/.exec(scripts.build)?.[1];
    expect(buildScript).toBe('scripts/build.js');
    expect(readFileSync('Dockerfile', 'utf8')).toMatch(/^COPY scripts\/build\.js \.\/scripts\/$/m);
  });
});
