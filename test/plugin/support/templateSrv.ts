/**
 * A template service for tests and the dev harness, with Grafana's semantics for what the plugin uses
 * (Grafana's own lives in its app, not in an npm package): `$var`, `${var}`, `${var:format}`, `[[var]]`;
 * scoped variables first; multi-value and All (explicit values, or the custom all-value when set);
 * `containsTemplate` true only for variables that exist; formats csv, pipe, regex, json, glob (default for
 * several values), or a function called with the value(s).
 */
import type { ScopedVars } from '@grafana/data';

export interface TestVariable {
  name: string;
  /** The current selection: one value, several, or ['$__all'] / '$__all' for All. */
  current: string | string[];
  /** All values the variable offers (what All expands to). */
  options?: string[];
  /** Custom all-value (e.g. `.*`); when set, All yields it instead of the list. */
  allValue?: string;
}

const ALL = '$__all';
const VARIABLE_PATTERN = /\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}/g;

type Format = string | ((value: string | string[], variable?: unknown) => string) | undefined;

function regexEscape(v: string) {
  return v.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
}

function applyFormat(value: string | string[], format: Format): string {
  if (typeof format === 'function') {
    return format(value);
  }
  const values = Array.isArray(value) ? value : [value];
  switch (format) {
    case 'csv':
      return values.join(',');
    case 'pipe':
      return values.join('|');
    case 'json':
      return JSON.stringify(Array.isArray(value) ? values : value);
    case 'regex':
      return values.length === 1 ? regexEscape(values[0]) : `(${values.map(regexEscape).join('|')})`;
    default:
      return values.length === 1 ? values[0] : `{${values.join(',')}}`;
  }
}

export class TestTemplateSrv {
  constructor(private variables: TestVariable[] = []) {}

  setVariables(variables: TestVariable[]) {
    this.variables = variables;
  }

  getVariables() {
    return this.variables.map((v) => ({ name: v.name }));
  }

  containsTemplate(target?: string): boolean {
    if (!target) {
      return false;
    }
    for (const match of target.matchAll(VARIABLE_PATTERN)) {
      const name = match[1] ?? match[2] ?? match[4];
      if (this.variables.some((v) => v.name === name)) {
        return true;
      }
    }
    return false;
  }

  replace(target?: string, scopedVars?: ScopedVars, format?: Format): string {
    if (!target) {
      return target ?? '';
    }
    return target.replace(VARIABLE_PATTERN, (whole, simple, bracket, bracketFormat, braced, bracedFormat) => {
      const name: string = simple ?? bracket ?? braced;
      const fmt: Format = bracketFormat ?? bracedFormat ?? format;
      const scoped = scopedVars?.[name];
      if (scoped) {
        return applyFormat(scoped.value as string | string[], fmt);
      }
      const variable = this.variables.find((v) => v.name === name);
      if (!variable) {
        return whole;
      }
      let value = variable.current;
      const isAll = value === ALL || (Array.isArray(value) && value.includes(ALL));
      if (isAll) {
        if (variable.allValue !== undefined) {
          return variable.allValue;
        }
        value = variable.options ?? [];
      }
      return applyFormat(value, fmt);
    });
  }

  updateTimeRange() {}
}
