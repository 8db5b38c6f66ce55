/**
 * Kernel side of the RuleComparison: one forward pass, one backward pass per rule, the input
 * relevance of each summed over channels and shown in a grid on one shared symmetric scale.
 */
import type * as tf from '@tensorflow/tfjs';
import { prepare, type PrepareOptions, type RuleChoice } from '@rlrp/core';
import { kernelOwned, traits, type TraitOwnership } from 'tslab-widgets';
import { WidgetOptionError } from './errors';
import { snapshotHtml, type FallbackPlotly } from './fallback/fallback-html';
import { comparisonSnapshot } from './fallback/snapshots';
import {
  frontendBinding,
  resolveTarget,
  type AnywidgetTraits,
  type FrontendTarget,
} from './kernel/frontend-target';
import { ruleLabel } from './kernel/rule-labels';
import { asBatch, drawnMap, inputImage, type KernelImage } from './kernel/tensors';
import { RlrpWidget } from './rlrp-widget';
import {
  COLORMAP_NAMES,
  type ColormapName,
  type RuleComparisonState,
  type RuleMapState,
} from './schema';

/** Options of {@link compareRules}. */
export interface CompareRulesOptions {
  /** Class to explain; default the predicted class. */
  target?: number | 'predicted';
  /** Class names, index = class. */
  classLabels?: readonly string[];
  title?: string;
  colormap?: ColormapName;
  /** Grid columns (the input takes the first cell); default 4. */
  columns?: number;
  frontend?: FrontendTarget;
  fallbackPlotly?: FallbackPlotly;
  display?: boolean;
  prepare?: PrepareOptions;
}

/** The rule comparison's state as it travels (maps as Float32Array buffers). */
export type ComparisonWireState = Omit<RuleComparisonState, 'maps' | 'input'> &
  AnywidgetTraits & {
    maps: (Omit<RuleMapState, 'data'> & { data: Float32Array })[];
    input: KernelImage;
  };

/** Who owns each trait: the kernel computes the maps; the front end may change the colour map. */
const COMPARISON_TRAITS: TraitOwnership<ComparisonWireState> = {
  kind: 'kernel',
  title: 'kernel',
  input: 'kernel',
  maps: 'kernel',
  target: 'kernel',
  target_label: 'kernel',
  colormap: 'both',
  columns: 'kernel',
  _esm: 'kernel',
  _plotly: 'kernel',
};

/** The RuleComparison widget (kernel side). */
export class RuleComparison extends RlrpWidget<ComparisonWireState> {
  /** Use {@link compareRules}. */
  constructor(
    model: tf.LayersModel,
    input: tf.Tensor,
    rules: readonly string[],
    options: CompareRulesOptions = {},
  ) {
    const binding = frontendBinding('rule-comparison', resolveTarget(options.frontend));
    super(
      {
        model: binding.model,
        view: binding.view,
        state: { ...comparisonState(model, input, rules, options), ...binding.extraState },
        readOnly: kernelOwned(COMPARISON_TRAITS),
        traits: { colormap: traits.oneOf(COLORMAP_NAMES) },
      },
      options.fallbackPlotly,
    );
  }

  protected override textFallback(): string {
    return `RuleComparison: ${this.get('maps')
      .map((m) => m.label)
      .join(', ')} (target ${this.get('target_label')})`;
  }

  protected staticHtml(): string {
    const maps = this.get('maps');
    const image = comparisonSnapshot(
      this.get('input'),
      maps,
      this.get('colormap'),
      this.get('columns'),
    );
    return snapshotHtml(
      image,
      `${this.get('title')} — target ${this.get('target_label')}: input, then ` +
        `${maps.map((m) => m.label).join(', ')} on one colour scale`,
    );
  }
}

function comparisonState(
  model: tf.LayersModel,
  input: tf.Tensor,
  rules: readonly string[],
  options: CompareRulesOptions,
): ComparisonWireState {
  if (!Array.isArray(rules) || rules.length === 0) {
    throw new WidgetOptionError(
      'rules',
      'pass at least one rule or preset name, e.g. ["rlrp", "epsilon"].',
    );
  }
  const { batch, owned } = asBatch(model, input);
  const session = prepare(model, batch, options.prepare);
  try {
    const target =
      options.target === undefined || options.target === 'predicted'
        ? session.predicted[0]
        : options.target;
    const maps = rules.map((rule) => {
      const explanation = session.explain({ rule: rule as RuleChoice, target });
      try {
        const shape = explanation.relevance.shape.slice(1);
        // The input relevance as drawn (summed over channels), in one device read.
        const summed = drawnMap(explanation.relevance);
        const [height, width] = [shape[0], shape.length >= 2 ? shape[1] : 1];
        let sum = 0;
        let mass = 0;
        for (const v of summed) {
          sum += v;
          mass += Math.abs(v);
        }
        return { rule, label: ruleLabel(rule), shape: [height, width], data: summed, mass, sum };
      } finally {
        explanation.dispose();
      }
    });
    return {
      kind: 'rule-comparison',
      title: options.title ?? 'Rules compared',
      input: inputImage(batch),
      maps,
      target,
      target_label: options.classLabels?.[target] ?? String(target),
      colormap: options.colormap ?? 'bwr',
      columns: options.columns ?? 4,
    };
  } finally {
    session.dispose();
    if (owned) batch.dispose();
  }
}

/**
 * Shows the input relevance of several rules on the same input in a grid with one shared
 * symmetric colour scale. Displays the widget (unless `display: false`) and returns it.
 */
export function compareRules(
  model: tf.LayersModel,
  input: tf.Tensor,
  rules: readonly string[],
  options: CompareRulesOptions = {},
): RuleComparison {
  const widget = new RuleComparison(model, input, rules, options);
  if (options.display !== false) widget.display();
  return widget;
}
