import { labelName, type Flavour } from './prometheus-names.ts'

/** A label matcher's value, quoted as PromQL reads it. */
export function quoteLabelValue (value: string): string {
  return `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`
}

/** A regular expression that matches exactly one of `values` (RE2: every metacharacter escaped). */
export function oneOf (values: Iterable<string>): string {
  return [...values].map((value) => value.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')).join('|')
}

export type Matcher = readonly [label: string, op: '=' | '!=' | '=~', value: string]

/** `name{a="1",b!="2"}`; `tags` and `extra` name vigie's tags, turned into `flavour`'s labels. */
export function selector (name: string, tags: ReadonlyArray<readonly [string, string]>, flavour: Flavour, extra: readonly Matcher[] = []): string {
  const matchers = [
    ...tags.map(([key, value]): Matcher => [labelName(key, flavour), '=', value]),
    ...extra.map(([tag, op, value]): Matcher => [labelName(tag, flavour), op, value]),
  ].map(([label, op, value]) => `${label}${op}${quoteLabelValue(value)}`)
  return matchers.length === 0 ? name : `${name}{${matchers.join(',')}}`
}
