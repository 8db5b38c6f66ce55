/**
 * How long the native kernels' threads spin at a barrier before they sleep. The addon's loops and
 * oneDNN share libgomp's threads, and libgomp reads `GOMP_SPINCOUNT` once, when it loads: with the
 * addon, unless another module loaded it first. By default a waiting thread polls 300 000 times,
 * holding its core, and when another process is busy that core is the one the awaited thread
 * needs. Measured on this project's 2-core machines, ResNet-50 explanations (LRP-ε /
 * EpsilonPlusFlat, medians of 11) beside one busy process: 393 / 477 ms with the default against
 * 163 / 220 ms with 1000 polls (0 polls: 145 / 192 ms; 10 000: 337 / 421 ms); with nothing else
 * running, 101 / 122 against 93 / 126 ms (0 polls: 107 / 144 ms). A notebook's machine runs a
 * browser and a Jupyter server beside the kernel.
 */

/** The polls before a waiting thread sleeps, unless the user set libgomp's wait themselves. */
export const OPENMP_SPIN_COUNT = '1000';

/**
 * Runs `load` (which loads libgomp) with `GOMP_SPINCOUNT` set to {@link OPENMP_SPIN_COUNT} where
 * neither it nor `OMP_WAIT_POLICY` is set, and takes it away again afterwards: processes started
 * later (PyTorch's in `npm run bench`) keep their own runtime's default.
 */
export function withOpenMpSpinCount<T>(load: () => T, env: NodeJS.ProcessEnv = process.env): T {
  if (env.GOMP_SPINCOUNT !== undefined || env.OMP_WAIT_POLICY !== undefined) return load();
  env.GOMP_SPINCOUNT = OPENMP_SPIN_COUNT;
  try {
    return load();
  } finally {
    delete env.GOMP_SPINCOUNT;
  }
}
