/**
 * The error `run` throws, for tests that check its class and fields; fails the test when `run`
 * throws nothing.
 */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error, got none');
}
