/**
 * Image files as an attacker would craft them (issue #11): sizes are read from the PNG and JPEG
 * headers and refused before decoding, and only regular files are read.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as errors from '../src/errors';
import { ImageFileError, ImageTooLargeError, OptionError } from '../src/errors';
import { decodeImage, loadImage, readImageDimensions } from '../src/image/index';
import { UNTRUSTED_IMAGE_CASES } from './fixtures/untrusted/image-cases';
import { expectNoTensorLeakPerTest } from './support/tensor-leak-check';
import { tempDirPerTest } from './support/temp-dir-per-test';

const images = path.join(__dirname, 'fixtures', 'untrusted', 'images');
const MB = 1024 * 1024;

expectNoTensorLeakPerTest();

describe('crafted images', () => {
  it('the committed files are exactly the cases', () => {
    expect(fs.readdirSync(images).sort()).toEqual(UNTRUSTED_IMAGE_CASES.map((c) => c.name).sort());
  });

  it.each(UNTRUSTED_IMAGE_CASES.map((c) => [c.name, c] as const))(
    '%s ends in its typed error without allocating the declared pixels',
    async (name, expected) => {
      // Growth counts from the higher of the worker's earlier peak (maxRSS, maybe from another test
      // file) and its current size: the load is charged for any new peak it makes.
      const rssBefore = Math.max(process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
      const cpuBefore = process.cpuUsage();
      const attempt = loadImage(path.join(images, name));
      await expect(attempt).rejects.toThrow(errors[expected.error]);
      const error = (await attempt.catch((e: unknown) => e)) as Error;
      expect(error.constructor.name).toBe(expected.error);
      expect(error.message).toMatch(expected.message);
      const cpu = process.cpuUsage(cpuBefore);
      expect((cpu.user + cpu.system) / 1000).toBeLessThan(1000);
      expect(process.resourceUsage().maxRSS * 1024 - rssBefore).toBeLessThan(200 * MB);
    },
  );

  it('a 20000×20000 PNG is refused under a raised limit too, and the limit is in the error', () => {
    const bytes = fs.readFileSync(path.join(images, 'png-20000x20000-zeros.png'));
    let caught: unknown;
    try {
      decodeImage(bytes, { maxMegapixels: 10 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ImageTooLargeError);
    expect(caught).toMatchObject({ width: 20000, height: 20000, maxMegapixels: 10 });
  });

  it('header sizes agree with the decoded sizes of real PNG and JPEG files', () => {
    const real = path.join(__dirname, 'fixtures', 'images');
    for (const name of ['gray-4x3.png', 'rgb-4x3.png', 'rgb-8x8.jpg', 'exif-orientation-6.jpg']) {
      const bytes = fs.readFileSync(path.join(real, name));
      const decoded = decodeImage(bytes, { applyExifOrientation: false });
      expect(readImageDimensions(bytes, decoded.format)).toEqual({
        width: decoded.width,
        height: decoded.height,
      });
    }
  });

  it('a bad maxMegapixels is an OptionError', async () => {
    const file = path.join(__dirname, 'fixtures', 'images', 'gray-4x3.png');
    for (const maxMegapixels of [0, -1, Number.NaN, Infinity]) {
      await expect(loadImage(file, { maxMegapixels })).rejects.toThrow(OptionError);
    }
  });
});

describe('files that are not regular files', () => {
  const tmp = tempDirPerTest('rlrp-image-');

  it('a FIFO is refused without blocking, a device through a link too', async () => {
    const fifo = path.join(tmp(), 'digit.png');
    execFileSync('mkfifo', [fifo]);
    await expect(loadImage(fifo)).rejects.toThrow(
      /not a regular file \(a FIFO, device or socket\)/,
    );
    const zero = path.join(tmp(), 'zero.png');
    fs.symlinkSync('/dev/zero', zero);
    await expect(loadImage(zero)).rejects.toThrow(ImageFileError);
  });

  it('a file larger than any image within the limit is not read', async () => {
    const big = path.join(tmp(), 'big.png');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 64 * MB); // sparse: no disk space, no bytes read
    await expect(loadImage(big, { maxMegapixels: 1 })).rejects.toThrow(
      /has 67108864 bytes, more than an image of 1 megapixels can take/,
    );
  });
});
