/** Command-line options of `npm run reproduce`. */
import { COMPARED_METHODS } from './methods';

/** Parsed options. */
export interface ReproduceOptions {
  /** Test images per model (the first N of the fixed test order). */
  readonly limit: number;
  /** Images per model for the robustness table (the first N of the subset). */
  readonly robustnessLimit: number;
  /** Model ids (`<dataset>-<arch>`), or undefined for every shipped model. */
  readonly models?: readonly string[];
  /** Method ids. */
  readonly methods: readonly string[];
  /** Steps of the deletion/insertion curves. */
  readonly steps: number;
  /** Value of removed pixels: 0, or the mean training image of the dataset. */
  readonly baseline: 'zero' | 'mean';
  /** Where results.md and the figures go. */
  readonly outDir: string;
  /** The command line, for the report. */
  readonly command: string;
}

/** Defaults of the full run: about 7 minutes on 2 cores (docs/results.md gives the measured time). */
export const DEFAULT_LIMIT = 500;
export const DEFAULT_ROBUSTNESS_LIMIT = 100;
export const DEFAULT_STEPS = 16;

const USAGE =
  'Usage: npm run reproduce -- [--limit N] [--robustness-limit N] [--models mnist-cnn,fashion-mnist-vgg] ' +
  `[--methods ${COMPARED_METHODS.map((m) => m.id).join(',')}] [--steps N] [--baseline zero|mean] [--out docs]`;

/** Parse argv (without node and script). Throws with the usage line on bad input. */
export function parseReproduceOptions(argv: readonly string[]): ReproduceOptions {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    if (!flag.startsWith('--') || i + 1 >= argv.length)
      throw new Error(`Bad argument "${flag}". ${USAGE}`);
    values.set(flag.slice(2), argv[++i]);
  }
  const known = ['limit', 'robustness-limit', 'models', 'methods', 'steps', 'baseline', 'out'];
  for (const key of values.keys()) {
    if (!known.includes(key)) throw new Error(`Unknown flag --${key}. ${USAGE}`);
  }
  const positive = (key: string, fallback: number): number => {
    const text = values.get(key);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${key} needs a positive integer, got "${text}".`);
    return n;
  };
  const list = (key: string): string[] | undefined =>
    values
      .get(key)
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  const methods = list('methods') ?? COMPARED_METHODS.map((m) => m.id);
  for (const id of methods) {
    if (!COMPARED_METHODS.some((m) => m.id === id)) {
      throw new Error(
        `Unknown method "${id}". Known: ${COMPARED_METHODS.map((m) => m.id).join(', ')}.`,
      );
    }
  }
  const limit = positive('limit', DEFAULT_LIMIT);
  const baseline = values.get('baseline') ?? 'zero';
  if (baseline !== 'zero' && baseline !== 'mean') {
    throw new Error(`--baseline is zero or mean, got "${baseline}".`);
  }
  return {
    limit,
    robustnessLimit: Math.min(limit, positive('robustness-limit', DEFAULT_ROBUSTNESS_LIMIT)),
    models: list('models'),
    methods,
    steps: positive('steps', DEFAULT_STEPS),
    baseline,
    outDir: values.get('out') ?? 'docs',
    command: ['npm run reproduce', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
  };
}
