import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

/**
 * Lints `source` as if it were the file at `filePath` (a real one: the cycle closes on its path) with
 * the project's own ESLint config, and answers the import cycles it reports.
 */
async function cycleErrors(filePath: string, source: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(source, { filePath });
  return result.messages.filter((message) => message.ruleId === 'import-x/no-cycle').map((m) => m.message);
}

describe('import cycles (npm run lint)', () => {
  it('refuses an import that leads back to the importing file through another module', async () => {
    // responses depends on forms: forms importing responses back closes a loop through both index files.
    const errors = await cycleErrors(
      'src/modules/forms/forms.service.ts',
      "import { ResponsesService } from '../responses/index.js';\nexport const used = ResponsesService;\n",
    );
    expect(errors).toEqual([expect.stringContaining('Dependency cycle')]);
  });

  it('refuses a cycle inside a module', async () => {
    const errors = await cycleErrors(
      'src/modules/forms/forms.service.ts',
      "import { FormsModule } from './forms.module.js';\nexport const used = FormsModule;\n",
    );
    expect(errors).toEqual([expect.stringContaining('Dependency cycle')]);
  });

  it('lets a type-only import close a loop: it is gone once compiled', async () => {
    const errors = await cycleErrors(
      'src/modules/forms/forms.service.ts',
      "import type { ResponsesService } from '../responses/index.js';\nexport type Used = ResponsesService;\n",
    );
    expect(errors).toEqual([]);
  });
});
