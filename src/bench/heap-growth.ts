/**
 * Where the wasm heap of a one-shot VGG16 explanation grows: wraps the engine's kernel calls and
 * prints, for every kernel after which the heap (which never shrinks) is larger than before, the
 * kernel, its output shape, the growth and the tensor bytes live at that moment.
 *
 *   npm run bench:heap -- --rule epsilon --runs 3
 */
import * as tf from '@tensorflow/tfjs';
import { explain, initEngine, vgg16, type RuleChoice } from '@rlrp/core';
import { argument, countArgument, megabytes, wasmHeapBytes } from './command-line';

async function main(): Promise<void> {
  const rule = (argument('--rule') ?? 'epsilon') as RuleChoice;
  const runs = countArgument('--runs', 3);
  const engineInfo = await initEngine({ threads: 1 });
  if (wasmHeapBytes() === undefined) {
    throw new Error(
      `heap-growth measures the wasm engine's heap; this engine is ${engineInfo.name}.`,
    );
  }
  const heap = () => wasmHeapBytes() ?? 0;
  const engine = tf.engine() as unknown as {
    runKernel: (name: string, inputs: object, attrs: object) => tf.Tensor | tf.Tensor[];
  };
  let phase = 'build';
  const peakLive = { bytes: 0, where: '' };
  const own = engine.runKernel.bind(engine);
  engine.runKernel = (name, inputs, attrs) => {
    const before = heap();
    const out = own(name, inputs, attrs);
    const after = heap();
    const live = tf.memory().numBytes;
    if (live > peakLive.bytes) {
      peakLive.bytes = live;
      peakLive.where = `${phase} ${name} ${(new Error().stack ?? '')
        .split('\n')
        .slice(2, 14)
        .map((l) =>
          l
            .trim()
            .replace(/^at /, '')
            .replace(/\(.*\/(packages|node_modules)\//, '('),
        )
        .join(' < ')}`;
    }
    if (after > before) {
      const shapes = (Array.isArray(out) ? out : [out]).map((t) => t.shape.join('×'));
      const inShapes = Object.values(inputs as Record<string, tf.Tensor>).map((t) =>
        t?.shape?.join('×'),
      );
      console.log(
        JSON.stringify({
          phase,
          kernel: name,
          in: inShapes,
          out: shapes,
          grew_mb: megabytes(after - before),
          heap_mb: megabytes(after),
          tensors_mb: megabytes(tf.memory().numBytes),
        }),
      );
    }
    return out;
  };
  const model = vgg16({ inputShape: [224, 224, 3], classes: 1000 });
  const input = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 42);
  for (let i = 0; i < runs; i++) {
    phase = `explain ${i + 1}`;
    peakLive.bytes = 0;
    const e = explain(model, input, { rule });
    e.relevance.dataSync();
    e.dispose();
    console.log(
      JSON.stringify({ phase, peak_live_mb: megabytes(peakLive.bytes), where: peakLive.where }),
    );
  }
  console.log(
    JSON.stringify({
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
      heap_mb: megabytes(heap()),
      tensors_mb: megabytes(tf.memory().numBytes),
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
