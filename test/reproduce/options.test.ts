/** `npm run reproduce` flags: slices of the test split, and where a run writes. */
import { DEFAULT_LIMIT, parseReproduceOptions } from '../../src/reproduce/options';

describe('parseReproduceOptions', () => {
  it('by default evaluates the first 500 images and writes to reproduce-output/, not docs/', () => {
    const options = parseReproduceOptions([]);
    expect([options.start, options.end]).toEqual([0, DEFAULT_LIMIT]);
    expect(options.outDir).toBe('reproduce-output');
    expect(options.writeDocs).toBe(false);
    expect(options.command).toBe('npm run reproduce');
  });

  it('--limit N is the slice 0:N and still writes to reproduce-output/', () => {
    const options = parseReproduceOptions(['--limit', '40', '--models', 'mnist-cnn']);
    expect([options.start, options.end, options.robustnessLimit]).toEqual([0, 40, 40]);
    expect(options.outDir).toBe('reproduce-output');
  });

  it('--images START:END evaluates any slice (END exclusive)', () => {
    const options = parseReproduceOptions(['--images', '500:1000', '--robustness-limit', '20']);
    expect([options.start, options.end, options.robustnessLimit]).toEqual([500, 1000, 20]);
    for (const bad of ['10:10', '20:10', '-1:5', '5', '1.5:3', 'a:b']) {
      expect(() => parseReproduceOptions(['--images', bad])).toThrow(/--images needs START:END/);
    }
    expect(() => parseReproduceOptions(['--images', '0:10', '--limit', '5'])).toThrow(/not both/);
  });

  it('--write-docs (a switch) replaces docs/results.md; --out picks another folder', () => {
    const docs = parseReproduceOptions(['--write-docs', '--limit', '500']);
    expect(docs.writeDocs).toBe(true);
    expect(docs.outDir).toBe('docs');
    expect(docs.end).toBe(500);
    expect(docs.command).toBe('npm run reproduce -- --write-docs --limit 500');
    expect(parseReproduceOptions(['--out', 'tmp/run']).outDir).toBe('tmp/run');
    expect(() => parseReproduceOptions(['--write-docs', '--out', 'x'])).toThrow(/not both/);
  });

  it('--workers N sets the comparison’s worker threads; without it compareMethods decides', () => {
    expect(parseReproduceOptions([]).workers).toBeUndefined();
    expect(parseReproduceOptions(['--workers', '1']).workers).toBe(1);
    expect(parseReproduceOptions(['--workers', '4']).workers).toBe(4);
    expect(() => parseReproduceOptions(['--workers', '0'])).toThrow(/--workers needs a positive/);
  });

  it('rejects unknown flags and missing values with the usage line', () => {
    expect(() => parseReproduceOptions(['--limt', '4'])).toThrow(/Unknown flag --limt.*Usage/);
    expect(() => parseReproduceOptions(['--limit'])).toThrow(/Bad argument/);
    expect(() => parseReproduceOptions(['--limit', '0'])).toThrow(/positive integer/);
  });
});
