import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALGORITHMS } from '../src';

describe('README', () => {
  it('documents every hyperparameter with its current default', () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const info of ALGORITHMS) {
      for (const h of info.hyperparameters) {
        const row = readme
          .split('\n')
          .find((line) => new RegExp(`^\\|\\s*\`${h.name}\`\\s*\\|`).test(line));
        expect(row, `README row for ${h.name}`).toBeDefined();
        expect(row).toContain(`\`${JSON.stringify(h.default)}\``);
      }
    }
  });
});
