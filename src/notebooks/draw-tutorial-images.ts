/**
 * Draws the two pictures notebook 05 loads as "your own image": a phone-photo-like JPEG of a
 * hand-drawn 4 on paper (colour, uneven light, sensor noise, 4:3 and off-centre) and a 3 drawn
 * black on white (PNG). The digits are pen strokes defined here, not MNIST samples, so the
 * notebook's predictions are not read back from the training data.
 *
 * Run: npx tsx src/notebooks/draw-tutorial-images.ts (writes into notebooks/images/).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { NOTEBOOKS_DIR } from './notebook-runner';

/** A point in the digit's unit box: x to the right, y down, both in [0, 1]. */
type Point = readonly [x: number, y: number];

/** Points along a circular arc (angles in degrees, clockwise on screen since y points down). */
function arc(centre: Point, radius: Point, fromDegrees: number, toDegrees: number): Point[] {
  const steps = 24;
  return Array.from({ length: steps + 1 }, (_, i) => {
    const a = ((fromDegrees + ((toDegrees - fromDegrees) * i) / steps) * Math.PI) / 180;
    return [centre[0] + radius[0] * Math.cos(a), centre[1] + radius[1] * Math.sin(a)] as const;
  });
}

/** Pen strokes of a 4 with an open top, as people write it. */
const FOUR: Point[][] = [
  [
    [0.42, 0.02],
    [0.12, 0.6],
    [0.88, 0.6],
  ],
  [
    [0.66, 0.28],
    [0.64, 1.0],
  ],
];

/** Pen strokes of a 3: two bows, each drawn from its left end. */
const THREE: Point[][] = [
  arc([0.5, 0.27], [0.34, 0.23], 200, 450),
  arc([0.5, 0.73], [0.38, 0.25], 270, 520),
];

/** Distance from (px, py) to the segment a–b. */
function segmentDistance(px: number, py: number, a: Point, b: Point): number {
  const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
  const t = Math.max(0, Math.min(1, ((px - a[0]) * dx + (py - a[1]) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (a[0] + t * dx), py - (a[1] + t * dy));
}

/** Where and how a digit's unit box lands on the picture (pixels, degrees). */
interface Placement {
  readonly centreX: number;
  readonly centreY: number;
  readonly width: number;
  readonly height: number;
  readonly rotationDegrees: number;
  readonly penWidth: number;
}

/** Ink coverage 0–1 of every pixel: anti-aliased strokes of `penWidth` pixels. */
function inkCoverage(
  strokes: readonly Point[][],
  width: number,
  height: number,
  place: Placement,
): Float32Array {
  const angle = (place.rotationDegrees * Math.PI) / 180;
  const toPicture = ([x, y]: Point): Point => {
    const [u, v] = [(x - 0.5) * place.width, (y - 0.5) * place.height];
    return [
      place.centreX + u * Math.cos(angle) - v * Math.sin(angle),
      place.centreY + u * Math.sin(angle) + v * Math.cos(angle),
    ];
  };
  const segments = strokes.flatMap((stroke) =>
    stroke.slice(1).map((point, i) => [toPicture(stroke[i]), toPicture(point)] as const),
  );
  const coverage = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = Math.min(...segments.map(([a, b]) => segmentDistance(x + 0.5, y + 0.5, a, b)));
      coverage[y * width + x] = Math.max(0, Math.min(1, place.penWidth / 2 - d + 0.5));
    }
  }
  return coverage;
}

/** A deterministic uniform generator in [0, 1) (mulberry32), so reruns give the same files. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clampByte = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));

/** A 320×240 JPEG of a blue-black 4 on cream paper, lit from the top left, right of centre. */
function drawPhoto(file: string): void {
  const [width, height] = [320, 240];
  const ink = inkCoverage(FOUR, width, height, {
    centreX: 196,
    centreY: 124,
    width: 120,
    height: 176,
    rotationDegrees: 6,
    penWidth: 15,
  });
  const random = seededRandom(5);
  const paper = [236, 226, 204];
  const pen = [34, 38, 74];
  const data = Buffer.alloc(4 * width * height);
  for (let p = 0; p < width * height; p++) {
    const [x, y] = [p % width, Math.floor(p / width)];
    const light = 1 - 0.18 * (x / width) - 0.14 * (y / height); // darker towards the bottom right
    const noise = (random() - 0.5) * 14;
    for (let c = 0; c < 3; c++) {
      const surface = paper[c] * light + noise;
      data[4 * p + c] = clampByte(surface + (pen[c] - surface) * ink[p]);
    }
    data[4 * p + 3] = 255;
  }
  fs.writeFileSync(file, jpeg.encode({ data, width, height }, 85).data);
}

/** A 112×112 grayscale PNG of a 3 drawn black on white. */
function drawBlackOnWhite(file: string): void {
  const size = 112;
  const ink = inkCoverage(THREE, size, size, {
    centreX: 56,
    centreY: 56,
    width: 60,
    height: 80,
    rotationDegrees: 0,
    penWidth: 11,
  });
  const png = new PNG({ width: size, height: size, colorType: 0, inputColorType: 0 });
  png.data = Buffer.from(Array.from(ink, (coverage) => clampByte(255 * (1 - coverage))));
  fs.writeFileSync(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
}

const folder = path.join(NOTEBOOKS_DIR, 'images');
fs.mkdirSync(folder, { recursive: true });
drawPhoto(path.join(folder, 'photo-of-a-4.jpg'));
drawBlackOnWhite(path.join(folder, 'black-on-white-3.png'));
for (const name of fs.readdirSync(folder)) {
  console.log(`${name.padEnd(24)} ${fs.statSync(path.join(folder, name)).size} bytes`);
}
