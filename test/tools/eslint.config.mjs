// ESLint for the product tree (src/): typescript-eslint's type-aware recommended rules, plus the
// limits the core keeps — functions of at most 60 lines, names longer than one letter, lines of at
// most 140 characters — and Prettier's formatting left to Prettier (`npm run lint` runs both).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default tseslint.config(
  { basePath: root },
  { files: ['src/**/*.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    files: ['src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
      'max-len': ['error', { code: 140, ignoreUrls: true }],
      'id-length': ['error', { min: 2, properties: 'never', exceptions: ['_'] }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
