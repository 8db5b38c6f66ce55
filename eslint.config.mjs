import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What tf.tidy's function returns: its body, or what a return statement in it gives. */
const TIDY_RESULTS = [
  'CallExpression[callee.property.name="tidy"] > ArrowFunctionExpression >',
  'CallExpression[callee.property.name="tidy"] > ArrowFunctionExpression ReturnStatement >',
];
/** A tensor's values read on the spot: as they are, cast, or copied into an array. */
const READ = 'CallExpression[callee.property.name=/^(dataSync|arraySync)$/]';
const VALUES_READ = [
  READ,
  `TSAsExpression > ${READ}`,
  `CallExpression[callee.property.name="from"] > ${READ}`,
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'docs/api/**',
      'widgets/nbextension/**',
      'widgets/amd/**',
      'widgets/esm/**',
      'widgets/labextension/lib/**',
      'widgets/labextension/prebuilt/**',
      'test-artifacts/**',
      '**/*.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Reading a tensor's values as what tf.tidy returns makes tidy walk them element by element,
    // which V8 keeps deoptimising: everything after it runs slower (read-computed.ts says how much).
    // Tests may; the library and the scripts read outside tidy (readComputed in @rlrp/core).
    files: ['packages/*/src/**/*.ts', 'widgets/src/**/*.ts', 'src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...TIDY_RESULTS.flatMap((result) =>
          VALUES_READ.map((read) => ({
            selector: `${result} ${read}`,
            message:
              'Do not return values read with dataSync/arraySync from tf.tidy: tidy walks them ' +
              'element by element. Return the tensor, read it outside (readComputed in @rlrp/core).',
          })),
        ),
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
