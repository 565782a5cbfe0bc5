import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, waitForHttp } from '../../harness/ports.js';
import { type SmtpSink, startSmtpSink } from '../../harness/smtp-sink.js';
import { eventually } from '../support/eventually.js';

/**
 * The alerts reach someone: deploy/alertmanager/alertmanager.yml, rendered with the app's mail
 * settings by render-config.sh (as the compose service does), is accepted by `amtool check-config`,
 * routes critical and warning alerts to their receivers, and Debian's Alertmanager started on it
 * emails an alert posted to its API through a real SMTP server.
 */
const SHIPPED = 'deploy/alertmanager/alertmanager.yml';
const RENDER = 'deploy/alertmanager/render-config.sh';
const scratch = mkdtempSync(join(tmpdir(), 'form-backend-alerts-'));

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Renders the shipped config with these settings; answers the rendered file's path. */
function render(name: string, env: Record<string, string>): string {
  const target = join(scratch, name);
  const rendered = run('sh', [RENDER, SHIPPED, target], env);
  expect(rendered).toEqual({ code: 0, output: '' });
  return target;
}

/** The receiver `amtool config routes test` picks for these labels. */
function routedTo(config: string, ...labels: string[]): string {
  const routed = run('amtool', ['config', 'routes', 'test', `--config.file=${config}`, ...labels]);
  expect(routed.code).toBe(0);
  return routed.output
    .split('\n')
    .filter((line) => line && !line.startsWith('Warning:'))
    .join('\n');
}

describe('alert delivery (Alertmanager)', () => {
  beforeAll(() => {
    execFileSync('bash', ['-c', 'source scripts/lib.sh && ensure_deploy_checkers'], { stdio: 'inherit' });
  }, 600_000);

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('amtool accepts the shipped config and the one rendered from the app’s mail settings', () => {
    expect(run('amtool', ['check-config', SHIPPED])).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });

    const relay = render('relay.yml', {
      SMTP_URL: 'smtp://alerts%40ops.test:s3cr%27t%3Apw@relay.ops.test',
      MAIL_FROM: 'Form Backend <no-reply@ops.test>',
      ALERT_EMAIL_CRITICAL: 'pager@ops.test',
    });
    expect(run('amtool', ['check-config', relay])).toEqual({ code: 0, output: expect.stringContaining('SUCCESS') });
    const text = readFileSync(relay, 'utf8');
    // A port left out is SMTP's submission port; a user means STARTTLS is required (no password in the clear).
    expect(text).toContain(
      [
        'global:',
        "  smtp_smarthost: 'relay.ops.test:587'",
        "  smtp_from: 'Form Backend <no-reply@ops.test>'",
        '  smtp_require_tls: true',
        "  smtp_auth_username: 'alerts@ops.test'",
        "  smtp_auth_password: 's3cr''t:pw'",
      ].join('\n'),
    );
    expect(text).toContain("- to: 'pager@ops.test'");
    expect(text).toContain("- to: 'team@localhost'");
    // Only the global block and the addresses change.
    expect(text.split('route:')[1]).toBe(
      readFileSync(SHIPPED, 'utf8').split('route:')[1].replace('oncall@localhost', 'pager@ops.test'),
    );

    expect(readFileSync(render('smtps.yml', { SMTP_URL: 'smtps://relay.ops.test' }), 'utf8')).toContain(
      "smtp_smarthost: 'relay.ops.test:465'\n  smtp_from: 'Form Backend <no-reply@localhost>'\n  smtp_require_tls: false\n",
    );
    const refused = run('sh', [RENDER, SHIPPED, join(scratch, 'bad.yml')], { SMTP_URL: 'http://relay.ops.test' });
    expect(refused).toEqual({ code: 2, output: 'render-config.sh: SMTP_URL must be smtp:// or smtps://\n' });
  });

  it('routes critical alerts to the on-call receiver and warnings (or no severity) to the team', () => {
    expect(routedTo(SHIPPED, 'alertname=FormBackendRedisDown', 'severity=critical')).toBe('on-call');
    expect(routedTo(SHIPPED, 'alertname=FormBackendTaskFailureRatioHigh', 'severity=warning', 'queue=email')).toBe(
      'team',
    );
    expect(routedTo(SHIPPED, 'alertname=Unlabelled')).toBe('team');
    // amtool's own check fails when the receiver is not the one expected (the test can fail).
    const wrong = run('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${SHIPPED}`,
      '--verify.receivers=team',
      'severity=critical',
    ]);
    expect(wrong.code).toBe(1);
  });

  describe('a real delivery', () => {
    let smtp: SmtpSink;
    let alertmanager: ChildProcess;
    let url: string;
    let log = '';

    beforeAll(async () => {
      smtp = await startSmtpSink();
      const config = render('delivery.yml', {
        SMTP_URL: smtp.url,
        MAIL_FROM: 'Form Backend <no-reply@ops.test>',
        ALERT_EMAIL_CRITICAL: 'oncall@ops.test',
        ALERT_EMAIL_WARNING: 'team@ops.test',
      });
      // Quick in the test only: the shipped config waits 10 s (critical) and 30 s to group alerts.
      writeFileSync(config, readFileSync(config, 'utf8').replace(/group_wait: \d+s/g, 'group_wait: 200ms'));
      const port = await freePort();
      url = `http://127.0.0.1:${port}`;
      alertmanager = spawn(
        'prometheus-alertmanager',
        [
          `--config.file=${config}`,
          `--storage.path=${join(scratch, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          // No cluster: one instance, and no gossip port to collide with another run's.
          '--cluster.listen-address=',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      alertmanager.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      alertmanager.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      await waitForHttp(`${url}/-/ready`);
    }, 30_000);

    afterAll(async () => {
      if (alertmanager.exitCode === null) {
        const exited = new Promise((resolve) => alertmanager.once('exit', resolve));
        alertmanager.kill('SIGTERM');
        await exited;
      }
      await smtp.stop();
    });

    it('emails a critical alert posted to /api/v2/alerts to the on-call address, and a warning to the team', async () => {
      const posted = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            labels: { alertname: 'FormBackendRedisDown', severity: 'critical' },
            annotations: { summary: 'No API or worker replica has reached Redis for a minute' },
          },
          {
            labels: { alertname: 'FormBackendTaskFailureRatioHigh', severity: 'warning', queue: 'email' },
            annotations: { summary: '1.053% of email jobs failed for good over the last hour (plan: under 1%)' },
          },
        ]),
      });
      expect(posted.status).toBe(200);

      const mails = await eventually(
        async () => smtp.messages,
        (received) => received.length >= 2,
        15_000,
      );
      expect(mails.length).toBe(2);
      const critical = mails.find((mail) => mail.to.includes('oncall@ops.test'));
      const warning = mails.find((mail) => mail.to.includes('team@ops.test'));
      expect(critical?.subject).toBe('[FIRING:1] FormBackendRedisDown (critical)');
      // Alertmanager's default email is HTML, with each alert's labels and annotations.
      expect(critical?.html).toContain('No API or worker replica has reached Redis for a minute');
      expect(critical?.headerLines).toContain('From: Form Backend <no-reply@ops.test>');
      expect(critical?.headerLines).toContain('To: oncall@ops.test');
      expect(warning?.subject).toBe('[FIRING:1] FormBackendTaskFailureRatioHigh email (warning)');
      expect(warning?.to).toEqual(['team@ops.test']);
      expect(log).not.toMatch(/level=error/);
    }, 30_000);
  });
});
