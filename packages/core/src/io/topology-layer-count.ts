/**
 * The number of layers a Keras topology declares, counted in the JSON: building costs time per
 * layer (tfjs creates and connects each one, twice with the parameter count's dry run), so a
 * crafted topology of a hundred thousand layers is refused before that.
 */

/**
 * Layers in every `layers` list of `topology`, nested models included. Walks iteratively: the
 * JSON's depth is already limited, but recursion is not needed.
 */
export function countTopologyLayers(topology: unknown): number {
  let count = 0;
  const pending: unknown[] = [topology];
  while (pending.length > 0) {
    const node = pending.pop();
    if (typeof node !== 'object' || node === null) continue;
    if (Array.isArray(node)) {
      pending.push(...node);
      continue;
    }
    const layers = (node as { layers?: unknown }).layers;
    if (Array.isArray(layers)) count += layers.length;
    pending.push(...Object.values(node));
  }
  return count;
}
