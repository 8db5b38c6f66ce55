/**
 * Model folders as an attacker would craft them (issue #11): every committed case of
 * fixtures/untrusted/ and every link, FIFO and socket made here ends in the exact typed error,
 * within 1 s of CPU time and 200 MB of memory, with no word about anything outside the folder; and
 * no byte of a file outside the folder reaches a loaded model.
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import * as errors from '../src/errors';
import { ModelFileError, RlrpError, UnsafeModelPathError } from '../src/errors';
import { loadModelFromDir, loadWeightsFromDir, saveModelToDir } from '../src/io/index';
import { UNTRUSTED_CASES } from './fixtures/untrusted/cases';
import { baseModel, IMAGES_FOLDER } from './fixtures/untrusted/generate-fixtures';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';

const corpus = path.join(__dirname, 'fixtures', 'untrusted');
const MB = 1024 * 1024;

/** A load's error with what it cost: CPU time (not wall clock: the machine is shared) and memory. */
interface MeasuredFailure {
  readonly error: Error;
  readonly cpuMilliseconds: number;
  readonly rssGrowthBytes: number;
}

async function measuredFailure(load: () => Promise<unknown>): Promise<MeasuredFailure> {
  // A jest worker's peak resident size (maxRSS) may come from an earlier test file: growth counts
  // only from the higher of that peak and the current size, so a load is charged for a new peak.
  const rssBefore = Math.max(process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  const cpuBefore = process.cpuUsage();
  let caught: unknown;
  try {
    const model = await load();
    if (model instanceof tf.LayersModel) model.dispose();
  } catch (error) {
    caught = error;
  }
  const cpu = process.cpuUsage(cpuBefore);
  // The peak resident size since start bounds this load's peak from above.
  const peakRss = process.resourceUsage().maxRSS * 1024;
  if (!(caught instanceof Error)) throw new Error('the load succeeded; it should have failed');
  return {
    error: caught,
    cpuMilliseconds: (cpu.user + cpu.system) / 1000,
    rssGrowthBytes: Math.max(0, peakRss - rssBefore),
  };
}

expectNoTensorLeakPerTest();

describe('the committed corpus of crafted model folders', () => {
  it('holds at least 30 cases, one folder per case', () => {
    const folders = fs
      .readdirSync(corpus, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== IMAGES_FOLDER)
      .map((entry) => entry.name)
      .sort();
    expect(folders).toEqual(UNTRUSTED_CASES.map((c) => c.name).sort());
    expect(folders.length).toBeGreaterThanOrEqual(30);
  });

  it.each(UNTRUSTED_CASES.map((c) => [c.name, c] as const))(
    '%s ends in its typed error, cheaply',
    async (name, expected) => {
      const { error, cpuMilliseconds, rssGrowthBytes } = await measuredFailure(() =>
        loadModelFromDir(path.join(corpus, name)),
      );
      expect(error.constructor.name).toBe(expected.error);
      expect(error).toBeInstanceOf(errors[expected.error]);
      expect(error).toBeInstanceOf(ModelFileError);
      expect(error.message).toMatch(expected.message);
      if (expected.mustNotSay) expect(error.message).not.toMatch(expected.mustNotSay);
      expect(cpuMilliseconds).toBeLessThan(1000);
      expect(rssGrowthBytes).toBeLessThan(200 * MB);
    },
  );
});

describe('links, FIFOs and sockets (made at test time)', () => {
  let tmp: string;
  let modelDir: string;
  let outside: string;
  /** Bytes the outside "secret" holds: float32 1234.5 over the whole shard size. */
  const SECRET_VALUE = 1234.5;
  let shardBytes: number;

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-untrusted-'));
    modelDir = path.join(tmp, 'model');
    outside = path.join(tmp, 'outside');
    fs.mkdirSync(outside);
    const model = baseModel();
    const saved = await saveModelToDir(model, modelDir);
    model.dispose();
    shardBytes = saved.weightBytes;
    const secret = Buffer.from(new Float32Array(shardBytes / 4).fill(SECRET_VALUE).buffer);
    fs.writeFileSync(path.join(outside, 'secret.bin'), secret);
    fs.copyFileSync(saved.modelJsonPath, path.join(outside, 'model.json'));
    fs.writeFileSync(path.join(outside, 'group1-shard1of1.bin'), secret);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Points model.json's shard path at `written`. */
  function setShardPath(written: string, dir = modelDir): void {
    const file = path.join(dir, 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as {
      weightsManifest: { paths: string[] }[];
    };
    json.weightsManifest[0].paths = [written];
    fs.writeFileSync(file, JSON.stringify(json));
  }

  async function refusal(dirOrFile = modelDir): Promise<MeasuredFailure> {
    const failure = await measuredFailure(() => loadModelFromDir(dirOrFile));
    expect(failure.error).toBeInstanceOf(UnsafeModelPathError);
    expect(failure.cpuMilliseconds).toBeLessThan(1000);
    expect(failure.rssGrowthBytes).toBeLessThan(200 * MB);
    return failure;
  }

  const LEAVES = /is refused: it leads \(through a symbolic link\) outside the model folder/;

  it('a shard linked to a file outside, of exactly the declared size', async () => {
    fs.symlinkSync(path.join(outside, 'secret.bin'), path.join(modelDir, 'w.bin'));
    setShardPath('w.bin');
    const { error } = await refusal();
    expect(error.message).toMatch(LEAVES);
  });

  it('a shard path through a linked directory', async () => {
    fs.symlinkSync(outside, path.join(modelDir, 'sub'));
    setShardPath('sub/secret.bin');
    expect((await refusal()).error.message).toMatch(LEAVES);
  });

  it('a shard hard-linked to a file outside, of exactly the declared size', async () => {
    // A hard link is the outside file itself; only its link count gives it away.
    fs.linkSync(path.join(outside, 'secret.bin'), path.join(modelDir, 'w.bin'));
    setShardPath('w.bin');
    expect((await refusal()).error.message).toMatch(/"w\.bin" is refused: it has other hard links/);
  });

  it('a shard linked to /dev/zero and a link loop', async () => {
    fs.symlinkSync('/dev/zero', path.join(modelDir, 'zero.bin'));
    setShardPath('zero.bin');
    expect((await refusal()).error.message).toMatch(LEAVES);
    fs.symlinkSync('loop-b.bin', path.join(modelDir, 'loop-a.bin'));
    fs.symlinkSync('loop-a.bin', path.join(modelDir, 'loop-b.bin'));
    setShardPath('loop-a.bin');
    expect((await refusal()).error.message).toMatch(LEAVES);
  });

  it('a FIFO as shard or as model.json is refused without blocking', async () => {
    execFileSync('mkfifo', [path.join(modelDir, 'fifo.bin')]);
    setShardPath('fifo.bin');
    expect((await refusal()).error.message).toMatch(
      /"fifo\.bin" is refused: it is not a regular file \(a FIFO, device or socket\)/,
    );
    const fifoModel = path.join(tmp, 'fifo-model');
    fs.mkdirSync(fifoModel);
    execFileSync('mkfifo', [path.join(fifoModel, 'model.json')]);
    expect((await refusal(fifoModel)).error.message).toMatch(
      /Model file path "model\.json" is refused: it is not a regular file/,
    );
  });

  it('a socket as shard', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(path.join(modelDir, 'sock.bin'), resolve));
    try {
      setShardPath('sock.bin');
      expect((await refusal()).error.message).toMatch(/not a regular file/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('a model.json linked to one outside the folder, given as folder or as file', async () => {
    const linked = path.join(tmp, 'linked');
    fs.mkdirSync(linked);
    fs.symlinkSync(path.join(outside, 'model.json'), path.join(linked, 'model.json'));
    expect((await refusal(linked)).error.message).toMatch(
      /Model file path "model\.json" is refused: it leads \(through a symbolic link\) outside/,
    );
    expect((await refusal(path.join(linked, 'model.json'))).error).toBeInstanceOf(
      UnsafeModelPathError,
    );
  });

  it('errors say nothing of the size, existence or contents of outside files', async () => {
    /** The error for `written` (or a link to `link`), with the path and folder blanked. */
    const messageFor = async (written: string, link?: string): Promise<string> => {
      const dir = fs.mkdtempSync(path.join(tmp, 'probe-'));
      fs.cpSync(modelDir, dir, { recursive: true });
      const shardPath = link === undefined ? written : 'probe.bin';
      if (link !== undefined) fs.symlinkSync(link, path.join(dir, shardPath));
      setShardPath(shardPath, dir);
      const failure = await measuredFailure(() => loadModelFromDir(dir));
      expect(failure.error).toBeInstanceOf(RlrpError);
      return failure.error.message
        .split(JSON.stringify(shardPath))
        .join('<path>')
        .split(dir)
        .join('<dir>');
    };
    const secret = path.join(outside, 'secret.bin');
    const absent = path.join(outside, 'absent.bin');
    // A path to an existing outside file and one to a missing file: the same message.
    const pairs = [
      ['/etc/passwd', '/etc/no-such-file'],
      ['../outside/secret.bin', '../outside/absent.bin'],
      ['../../../etc/hostname', '../../../etc/no-such-file'],
    ];
    for (const [existing, missing] of pairs) {
      expect(await messageFor(existing)).toBe(await messageFor(missing));
    }
    const viaExisting = await messageFor('', secret);
    const viaAbsent = await messageFor('', absent);
    expect(viaExisting).toBe(viaAbsent);
    for (const message of [viaExisting, await messageFor('/etc/passwd')]) {
      expect(message).not.toMatch(new RegExp(`\\b${shardBytes}\\b`));
      expect(message).not.toContain(String(fs.statSync('/etc/passwd').size));
      expect(message).not.toContain('root:');
      expect(message).not.toContain(outside);
    }
  });

  it('no byte of a file outside the folder reaches a loaded model', async () => {
    const routes: [string, () => void][] = [
      ['../outside/secret.bin', () => setShardPath('../outside/secret.bin')],
      ['absolute', () => setShardPath(path.join(outside, 'secret.bin'))],
      [
        'linked shard',
        () => {
          fs.symlinkSync(path.join(outside, 'secret.bin'), path.join(modelDir, 'a.bin'));
          setShardPath('a.bin');
        },
      ],
      [
        'linked directory',
        () => {
          fs.symlinkSync(outside, path.join(modelDir, 'd'));
          setShardPath('d/secret.bin');
        },
      ],
      [
        'linked model.json',
        () => {
          fs.rmSync(path.join(modelDir, 'model.json'));
          fs.symlinkSync(path.join(outside, 'model.json'), path.join(modelDir, 'model.json'));
        },
      ],
    ];
    const pristine = fs.readFileSync(path.join(modelDir, 'model.json'));
    for (const [route, craft] of routes) {
      fs.rmSync(path.join(modelDir, 'model.json'));
      fs.writeFileSync(path.join(modelDir, 'model.json'), pristine);
      craft();
      let loaded: tf.LayersModel | undefined;
      let failure: unknown;
      try {
        loaded = await loadModelFromDir(modelDir);
      } catch (error) {
        failure = error;
      }
      const secretValues = loaded
        ? loaded
            .getWeights()
            .flatMap((w) => Array.from(w.dataSync()))
            .filter((v) => v === SECRET_VALUE)
        : [];
      loaded?.dispose();
      expect({ route, loaded: loaded !== undefined, secretValues }).toEqual({
        route,
        loaded: false,
        secretValues: [],
      });
      expect(failure).toBeInstanceOf(UnsafeModelPathError);
    }
    // loadWeightsFromDir reads the same way.
    const model = baseModel();
    setShardPath('../outside/secret.bin');
    expect(() => loadWeightsFromDir(model, modelDir)).toThrow(UnsafeModelPathError);
    expect(model.getWeights().some((w) => w.dataSync().includes(SECRET_VALUE))).toBe(false);
    model.dispose();
  });

  it('links that stay inside the folder, and a linked model folder, load as usual', async () => {
    fs.renameSync(path.join(modelDir, 'group1-shard1of1.bin'), path.join(modelDir, 'real.bin'));
    fs.mkdirSync(path.join(modelDir, 'shards'));
    fs.symlinkSync('../real.bin', path.join(modelDir, 'shards', 'w.bin'));
    setShardPath('./shards/w.bin');
    const viaLinkedFolder = path.join(tmp, 'model-link');
    fs.symlinkSync(modelDir, viaLinkedFolder);
    const loaded = await loadModelFromDir(viaLinkedFolder);
    const reference = baseModel();
    const values = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(values(loaded)).toEqual(values(reference));
    loaded.dispose();
    reference.dispose();
  });
});

describe('limits can be raised, and bad limits are typed errors', () => {
  it('maxParameters and maxJsonDepth are options; a non-positive limit is an OptionError', async () => {
    const dir = path.join(corpus, 'topology-units-300000');
    // Raising maxParameters does not let a topology that the weight files cannot fill through.
    await expect(loadModelFromDir(dir, { maxParameters: 10 })).rejects.toThrow(
      /beyond the limit maxParameters = 10\b/,
    );
    await expect(loadModelFromDir(dir, { maxJsonDepth: 0 })).rejects.toThrow(errors.OptionError);
    await expect(loadModelFromDir(dir, { maxModelJsonBytes: 100 })).rejects.toThrow(
      /has \d+ bytes, beyond the limit maxModelJsonBytes = 100/,
    );
    // Past the limit, tfjs itself overflows its stack on this file: still a typed error, no leak.
    await expect(
      loadModelFromDir(path.join(corpus, 'json-deep-valid-objects'), { maxJsonDepth: 6000 }),
    ).rejects.toThrow(ModelFileError);
  });

  it('a model.json nested 250 deep is refused by default and loads with maxJsonDepth raised', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rlrp-depth-'));
    const model = baseModel();
    const saved = await saveModelToDir(model, tmp);
    model.dispose();
    const text = fs.readFileSync(saved.modelJsonPath, 'utf8');
    const deep = `${'{"a":'.repeat(250)}{}${'}'.repeat(250)}`;
    fs.writeFileSync(saved.modelJsonPath, text.replace(/}$/, `,"userDefinedMetadata":${deep}}`));
    await expect(loadModelFromDir(tmp)).rejects.toThrow(/maxJsonDepth = 200/);
    const loaded = await loadModelFromDir(tmp, { maxJsonDepth: 300 });
    expect(loaded.countParams()).toBe(47);
    loaded.dispose();
    fs.rmSync(tmp, { recursive: true });
  });
});
