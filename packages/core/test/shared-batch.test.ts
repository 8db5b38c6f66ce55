/**
 * The pool's shared batch buffers: reused while a batch fits, grown when one does not, and a
 * typed error (with the buffers kept as they were) when no memory can be had for a huge batch.
 */
import { EngineError } from '@rlrp/core';
import { SharedBatch } from '../src/engine/shared-batch';

describe('SharedBatch', () => {
  it('reuses its buffers while a batch fits and grows them when one does not', () => {
    const batch = new SharedBatch();
    const first = batch.reserve(16);
    expect(first.input.byteLength).toBe(64);
    expect(first.output.byteLength).toBe(64);
    expect(batch.reserve(10)).toEqual(first);
    expect(batch.reserve(10).input).toBe(first.input);
    const grown = batch.reserve(32);
    expect(grown.input.byteLength).toBe(128);
    expect(grown.output).not.toBe(first.output);
  });

  it('refuses a batch no memory can hold with a typed error, and keeps its buffers', () => {
    const batch = new SharedBatch();
    const kept = batch.reserve(8);
    // 2⁵⁰ values: 4 PiB per buffer.
    expect(() => batch.reserve(2 ** 50)).toThrow(EngineError);
    expect(() => batch.reserve(2 ** 50)).toThrow(/smaller batches/);
    expect(batch.reserve(8).input).toBe(kept.input);
    expect(batch.reserve(8).output).toBe(kept.output);
  });
});
