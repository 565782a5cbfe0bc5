// The receiver-side checks of docs/api.md, run as written: its Node snippet (the official
// `standardwebhooks` npm package) and its Python snippet (the official `standardwebhooks` PyPI
// package, in a virtualenv the project's install script pins).
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const guide = () => readFileSync('docs/api.md', 'utf8');

/**
 * The Node snippet's `verifyWebhook` (throws unless genuine). Written to a temporary file, where the
 * bare name `standardwebhooks` would not resolve: only that specifier becomes the package's own URL.
 */
export async function documentedNodeVerifier() {
  const snippet = /<!-- verify-webhook:[^>]*-->\s*```js\n([\s\S]*?)\n```/.exec(guide())[1];
  const resolved = pathToFileURL(join(process.cwd(), 'node_modules/standardwebhooks/dist/index.js')).href;
  const file = join(mkdtempSync(join(tmpdir(), 'verify-webhook-')), 'verify-webhook.mjs');
  writeFileSync(file, snippet.replace("from 'standardwebhooks'", `from '${resolved}'`));
  return (await import(pathToFileURL(file).href)).verifyWebhook;
}

/** Reads cases `{ secret, headers, body }` (body in base64) on stdin, prints each one's verdict. */
const PYTHON_CHECKER = `
import base64, json, sys
from verify_webhook import verify_webhook

verdicts = []
for case in json.load(sys.stdin):
    try:
        verify_webhook(case["secret"], case["headers"], base64.b64decode(case["body"]))
        verdicts.append("ok")
    except Exception as error:
        verdicts.append(f"{type(error).__name__}: {error}")
print(json.dumps(verdicts))
`;

/**
 * The Python snippet's `verify_webhook`, run by the virtualenv's interpreter: an async function of
 * cases `{ secret, headers, body: Buffer }` answering one verdict each ("ok" or the error raised).
 */
export function documentedPythonVerifier() {
  const venv = execFileSync(
    'bash',
    ['-c', 'source scripts/lib.sh && ensure_standardwebhooks_python >&2 && echo "$STANDARDWEBHOOKS_PY_VENV"'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  ).trim();
  const snippet = /<!-- verify-webhook-python:[^>]*-->\s*```python\n([\s\S]*?)\n```/.exec(guide())[1];
  const dir = mkdtempSync(join(tmpdir(), 'verify-webhook-py-'));
  writeFileSync(join(dir, 'verify_webhook.py'), snippet);
  writeFileSync(join(dir, 'check.py'), PYTHON_CHECKER);
  return (cases) =>
    new Promise((resolve, reject) => {
      const child = execFile(join(venv, 'bin/python'), [join(dir, 'check.py')], { cwd: dir }, (error, stdout) =>
        error ? reject(error) : resolve(JSON.parse(stdout)),
      );
      child.stdin.end(JSON.stringify(cases.map((one) => ({ ...one, body: Buffer.from(one.body).toString('base64') }))));
    });
}
