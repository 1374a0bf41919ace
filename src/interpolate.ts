/**
 * Template-variable interpolation for every string of a query: single values (`$model`) and lists
 * whose entries may be multi-value or All variables (`$column`). Runs before anything else looks at a
 * query (request building, PromQL, pickers), so every consumer sees plain names.
 */
import type { ScopedVars } from '@grafana/data';
import type { TemplateSrv } from '@grafana/runtime';

/** What interpolation needs from Grafana's template service. */
export type TemplateReplacer = Pick<TemplateSrv, 'replace' | 'containsTemplate'>;

/**
 * Values that mean "every value" when a variable's All option has a custom all-value. Grafana passes
 * the explicit list of values for All when there is no custom all-value, which needs no special case.
 */
const ALL_MARKERS = new Set(['$__all', '*', '.*']);

/** Joins multi-values inside one replacement; a character no column or model name contains. */
const VALUE_SEPARATOR = '\u001f';

export interface Interpolator {
  /** One value: `$model` → `demo`. A multi-value variable yields its first value. */
  text(value: string): string;
  /**
   * A list whose entries may expand to several values; returns [] (= all) when any entry is an All
   * marker, and drops duplicates and empty strings, keeping first-seen order.
   */
  list(values: readonly string[]): string[];
}

export function createInterpolator(templateSrv: TemplateReplacer, scopedVars: ScopedVars = {}): Interpolator {
  const expand = (value: string): string[] => {
    if (!templateSrv.containsTemplate(value)) {
      return [value];
    }
    const joined = templateSrv.replace(value, scopedVars, (v: string | string[]) =>
      Array.isArray(v) ? v.join(VALUE_SEPARATOR) : String(v)
    );
    return joined.split(VALUE_SEPARATOR);
  };

  return {
    text(value: string): string {
      return expand(value)[0] ?? '';
    },
    list(values: readonly string[]): string[] {
      const out: string[] = [];
      for (const entry of values) {
        for (const v of expand(entry)) {
          if (ALL_MARKERS.has(v)) {
            return [];
          }
          if (v !== '' && !out.includes(v)) {
            out.push(v);
          }
        }
      }
      return out;
    },
  };
}
