import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * Lints a probe file placed inside the responses module with the project's own ESLint config. The
 * probe is not on disk, where typed linting would look for it, so it is linted without types.
 */
async function boundaryErrors(importPath: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd(), overrideConfig: tseslint.configs.disableTypeChecked });
  const [result] = await eslint.lintText(`import * as probe from '${importPath}';\nexport const used = probe;\n`, {
    filePath: 'src/modules/responses/boundary-probe.ts',
  });
  // A probe that could not be parsed would pass as "no boundary crossed".
  const fatal = result.messages.find((message) => message.fatal);
  if (fatal) throw new Error(fatal.message);
  return result.messages.filter((message) => message.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

describe('module boundaries (npm run lint)', () => {
  it("refuses another module's repository and schema", async () => {
    expect(await boundaryErrors('../forms/forms.repository.js')).toEqual([
      expect.stringContaining('Import another module only through its *.module, *.service or *.types files'),
    ]);
    expect(await boundaryErrors('../forms/form.schema.js')).toHaveLength(1);
    expect(await boundaryErrors('../webhooks/webhook-delivery.processor.js')).toHaveLength(1);
  });

  it("allows another module's module, service and types files, and the module's own files", async () => {
    expect(await boundaryErrors('../forms/forms.module.js')).toEqual([]);
    expect(await boundaryErrors('../forms/forms.service.js')).toEqual([]);
    expect(await boundaryErrors('../forms/form-field.types.js')).toEqual([]);
    expect(await boundaryErrors('./responses.repository.js')).toEqual([]);
  });
});
