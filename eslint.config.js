import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'src/generated/', 'data/', 'test-results/', 'views/vendor/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'error',
      // Command handlers are async by contract even when they have nothing to await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Money must never be a binary float: parse decimals with decimal.js, not parseFloat.
      'no-restricted-globals': [
        'error',
        { name: 'parseFloat', message: 'Use Decimal for money; parseFloat loses precision.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Number', property: 'parseFloat', message: 'Use Decimal for money.' },
      ],
    },
  },
  {
    files: ['eslint.config.js', 'tools/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
);
