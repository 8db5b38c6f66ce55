/** Small DOM helpers so the views read as layout, not as createElement noise. */

/** Creates an element with a class name and optional text. */
export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A labelled control: `<label>text <control></label>`. */
export function labelled(text: string, control: HTMLElement): HTMLLabelElement {
  const label = element('label', 'rlrp-field');
  label.append(element('span', 'rlrp-field-name', text), control);
  return label;
}

/**
 * Gives a `<select>` these options and selects `value`. When it already lists them, in order, its
 * option elements stay: the explorer sets its menus on every layer step and state change, and
 * building VGG16's 1000 classes or a 512-channel layer's 513 entries again each time made the
 * browser lay the page out anew.
 */
export function setOptions(
  select: HTMLSelectElement,
  options: readonly { value: string; label: string }[],
  value: string,
): void {
  if (!listsOptions(select, options)) {
    select.replaceChildren(
      ...options.map((o) => {
        const option = element('option', undefined, o.label);
        option.value = o.value;
        return option;
      }),
    );
  }
  select.value = value;
}

/** Whether `select`'s options are exactly `options` (values and labels, in order). */
function listsOptions(
  select: HTMLSelectElement,
  options: readonly { value: string; label: string }[],
): boolean {
  const present = select.options;
  if (present.length !== options.length) return false;
  for (let i = 0; i < options.length; i++) {
    if (present[i].value !== options[i].value || present[i].textContent !== options[i].label)
      return false;
  }
  return true;
}

const STYLE_ID = 'rlrp-widgets-style';

/** Adds the package's stylesheet to the document once. */
export function ensureStyles(): void {
  if (document.getElementById(STYLE_ID)) return;
  const style = element('style');
  style.id = STYLE_ID;
  style.textContent = CSS;
  document.head.appendChild(style);
}

const CSS = `
.rlrp-widget { font: 13px/1.4 system-ui, sans-serif; color: #222; max-width: 980px; }
.rlrp-title { font-weight: 600; font-size: 14px; margin: 4px 0; }
.rlrp-toolbar, .rlrp-stepper { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin: 4px 0; }
.rlrp-field { display: inline-flex; gap: 4px; align-items: center; }
.rlrp-field-name { color: #555; }
.rlrp-stepper input[type=range] { flex: 1 1 240px; }
.rlrp-layer-label { font-family: monospace; min-width: 260px; }
.rlrp-plots { display: flex; flex-wrap: wrap; gap: 8px; }
.rlrp-plot { min-height: 300px; }
.rlrp-plot-wide { width: 100%; min-height: 320px; }
.rlrp-mass { min-height: 170px; }
.rlrp-status { color: #555; font-size: 12px; min-height: 1.4em; }
.rlrp-status.rlrp-error { color: #b00020; }
.rlrp-busy { opacity: 0.6; }
`;
