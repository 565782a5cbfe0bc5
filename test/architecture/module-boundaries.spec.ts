import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * Lints a probe file (by default inside the responses module) with the project's own ESLint config.
 * The probe is not on disk, where typed linting would look for it, so it is linted without types.
 */
async function boundaryErrors(
  importPath: string,
  probe = 'src/modules/responses/boundary-probe.ts',
): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });
  const [result] = await eslint.lintText(`import * as probe from '${importPath}';\nexport const used = probe;\n`, {
    filePath: probe,
  });
  // A probe that could not be parsed would pass as "no boundary crossed".
  const fatal = result.messages.find((message) => message.fatal);
  if (fatal) throw new Error(fatal.message);
  return result.messages.filter((message) => message.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

describe('module boundaries (npm run lint)', () => {
  it('refuses every file of another module but its index.ts', async () => {
    expect(await boundaryErrors('../forms/forms.repository.js')).toEqual([
      expect.stringContaining('Import another module only through its index.ts'),
    ]);
    expect(await boundaryErrors('../forms/form.schema.js')).toHaveLength(1);
    expect(await boundaryErrors('../webhooks/webhook-delivery.processor.js')).toHaveLength(1);
    expect(await boundaryErrors('../forms/forms.module.js')).toHaveLength(1);
    expect(await boundaryErrors('../forms/forms.service.js')).toHaveLength(1);
    expect(await boundaryErrors('../forms/form-field.types.js')).toHaveLength(1);
    expect(await boundaryErrors('../invitations/dto/invitation.dto.js')).toHaveLength(1);
  });

  it("allows another module's index.ts, and the module's own files", async () => {
    expect(await boundaryErrors('../forms/index.js')).toEqual([]);
    expect(await boundaryErrors('./responses.repository.js')).toEqual([]);
    expect(await boundaryErrors('./dto/response.dto.js')).toEqual([]);
  });

  it('refuses a module its own index.ts: inside it, files import each other directly', async () => {
    expect(await boundaryErrors('./index.js')).toEqual([expect.stringContaining('never its own index.ts')]);
  });

  it('holds the entry points and the CLI to the same index.ts', async () => {
    expect(await boundaryErrors('./modules/tenants/tenants.module.js', 'src/boundary-probe.ts')).toHaveLength(1);
    expect(await boundaryErrors('./modules/tenants/index.js', 'src/boundary-probe.ts')).toEqual([]);
    expect(await boundaryErrors('../modules/tenants/tenants.service.js', 'src/cli/boundary-probe.ts')).toHaveLength(1);
    expect(await boundaryErrors('../modules/tenants/index.js', 'src/cli/boundary-probe.ts')).toEqual([]);
  });
});
