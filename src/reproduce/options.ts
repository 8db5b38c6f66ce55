/** Command-line options of `npm run reproduce`. */
import { COMPARED_METHODS } from './methods';

/** Parsed options. */
export interface ReproduceOptions {
  /** First test image evaluated (index into the dataset's fixed test order). */
  readonly start: number;
  /** One past the last test image evaluated (clipped to the test split's size per dataset). */
  readonly end: number;
  /** Images per model for the robustness table (the first N of the slice). */
  readonly robustnessLimit: number;
  /** Model ids (`<dataset>-<arch>`), or undefined for every shipped model. */
  readonly models?: readonly string[];
  /** Method ids. */
  readonly methods: readonly string[];
  /** Steps of the deletion/insertion curves. */
  readonly steps: number;
  /** Value of removed pixels: 0, or the mean training image of the dataset. */
  readonly baseline: 'zero' | 'mean';
  /** Where results.md and the figures go (relative to the repository root). */
  readonly outDir: string;
  /** Whether this run replaces the committed docs/results.md. */
  readonly writeDocs: boolean;
  /**
   * Worker threads of the comparison (`compareMethods`' `workers`); undefined for its default,
   * one per core when the slice has enough images to pay for starting them.
   */
  readonly workers?: number;
  /** The command line, for the report. */
  readonly command: string;
}

/** Defaults of the full run: about 7 minutes on 2 cores (docs/results.md gives the measured time). */
export const DEFAULT_LIMIT = 500;
export const DEFAULT_ROBUSTNESS_LIMIT = 100;
export const DEFAULT_STEPS = 16;
/** Where a run writes unless `--write-docs` or `--out` says otherwise (gitignored). */
export const DEFAULT_OUT_DIR = 'reproduce-output';
/** Where `--write-docs` writes: the committed results page. */
export const DOCS_DIR = 'docs';

const USAGE =
  'Usage: npm run reproduce -- [--limit N | --images START:END] [--robustness-limit N] ' +
  '[--models mnist-cnn,fashion-mnist-vgg] ' +
  `[--methods ${COMPARED_METHODS.map((m) => m.id).join(',')}] [--steps N] [--baseline zero|mean] ` +
  '[--workers N] ' +
  `[--out DIR | --write-docs]. Results go to ${DEFAULT_OUT_DIR}/ unless --write-docs replaces ` +
  `${DOCS_DIR}/results.md.`;

/** Flags that take no value. */
const SWITCHES = ['write-docs'];
const VALUED = [
  'limit',
  'images',
  'robustness-limit',
  'models',
  'methods',
  'steps',
  'baseline',
  'out',
  'workers',
];

/** `START:END` (END exclusive) as two integers with 0 ≤ START < END. */
function parseSlice(text: string): { start: number; end: number } {
  const match = /^(\d+):(\d+)$/.exec(text.trim());
  const start = match ? Number(match[1]) : NaN;
  const end = match ? Number(match[2]) : NaN;
  if (!match || !(start < end)) {
    throw new Error(
      `--images needs START:END with integers 0 ≤ START < END (END exclusive, e.g. 0:500 or ` +
        `500:1000), got "${text}".`,
    );
  }
  return { start, end };
}

/** Parse argv (without node and script). Throws with the usage line on bad input. */
export function parseReproduceOptions(argv: readonly string[]): ReproduceOptions {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') throw new Error(USAGE);
    const key = flag.startsWith('--') ? flag.slice(2) : undefined;
    if (key !== undefined && SWITCHES.includes(key)) {
      switches.add(key);
      continue;
    }
    if (key === undefined || i + 1 >= argv.length) {
      throw new Error(`Bad argument "${flag}". ${USAGE}`);
    }
    if (!VALUED.includes(key)) throw new Error(`Unknown flag --${key}. ${USAGE}`);
    values.set(key, argv[++i]);
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
  if (values.has('limit') && values.has('images')) {
    throw new Error('Pass --limit N or --images START:END, not both (--limit N is --images 0:N).');
  }
  const imagesText = values.get('images');
  const slice = imagesText
    ? parseSlice(imagesText)
    : { start: 0, end: positive('limit', DEFAULT_LIMIT) };
  const baseline = values.get('baseline') ?? 'zero';
  if (baseline !== 'zero' && baseline !== 'mean') {
    throw new Error(`--baseline is zero or mean, got "${baseline}".`);
  }
  const writeDocs = switches.has('write-docs');
  if (writeDocs && values.has('out')) {
    throw new Error(`--write-docs writes to ${DOCS_DIR}/; pass it or --out DIR, not both.`);
  }
  return {
    ...slice,
    robustnessLimit: Math.min(
      slice.end - slice.start,
      positive('robustness-limit', DEFAULT_ROBUSTNESS_LIMIT),
    ),
    models: list('models'),
    methods,
    steps: positive('steps', DEFAULT_STEPS),
    baseline,
    outDir: writeDocs ? DOCS_DIR : (values.get('out') ?? DEFAULT_OUT_DIR),
    writeDocs,
    workers: values.has('workers') ? positive('workers', 1) : undefined,
    command: ['npm run reproduce', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
  };
}
