/**
 * An agency's case-reference format (`casePattern` on a grant), checked against a request's
 * `x-case-id`. Written in the familiar regular-expression syntax, but only the part of it a
 * reference format needs — literals, `.`, classes (`[A-Z]`, `[^-]`), `\d \w \s` and their
 * negations, groups with `|`, and `? * + {n} {n,} {n,m}` — and always anchored: the whole
 * reference must match.
 *
 * A backtracking engine (JavaScript's RegExp) can take exponential time on a pattern such as
 * `(a+)+$` — minutes on a 64-character reference — and a grant's pattern is checked on every
 * request that uses the grant. So the pattern is compiled here into a Thompson NFA and matched by
 * simulating every state at once: time linear in the reference's length times the pattern's size,
 * whatever the pattern (Russ Cox, "Regular Expression Matching Can Be Simple And Fast", 2007).
 * Its size is capped (`MAX_CASE_PATTERN_LENGTH`, `MAX_NFA_STATES` once repetitions are counted).
 */

/** Longest pattern a grant may carry. */
export const MAX_CASE_PATTERN_LENGTH = 128;
/** Largest count a repetition may name (`{n,m}`): a reference is at most 64 characters anyway. */
const MAX_REPEAT = 64;
/** States of the compiled NFA, after repetitions are unrolled. */
const MAX_NFA_STATES = 4000;

export interface CaseMatcher {
  /** The pattern as the CDO wrote it. */
  readonly pattern: string;
  /** Whether the whole reference matches the pattern. */
  matches(reference: string): boolean;
}

export type CasePatternResult = { ok: true; matcher: CaseMatcher } | { ok: false; error: string };

type CharTest = (code: number) => boolean;

type PatternNode =
  | { kind: 'char'; test: CharTest }
  | { kind: 'seq'; items: PatternNode[] }
  | { kind: 'alt'; options: PatternNode[] }
  | { kind: 'repeat'; node: PatternNode; min: number; max: number };

class PatternError extends Error {}

const isDigit: CharTest = (c) => c >= 48 && c <= 57;
const isWord: CharTest = (c) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isSpace: CharTest = (c) => c === 32 || (c >= 9 && c <= 13);
const CLASS_ESCAPES: Record<string, CharTest> = {
  d: isDigit,
  D: (c) => !isDigit(c),
  w: isWord,
  W: (c) => !isWord(c),
  s: isSpace,
  S: (c) => !isSpace(c),
};

/** Compiles a case-reference pattern; a pattern outside the supported syntax is an error naming where and why. */
export function compileCasePattern(pattern: string): CasePatternResult {
  if (pattern.length === 0) return { ok: false, error: 'the case pattern is empty' };
  if (pattern.length > MAX_CASE_PATTERN_LENGTH)
    return {
      ok: false,
      error: `the case pattern is ${pattern.length} characters long; at most ${MAX_CASE_PATTERN_LENGTH} are allowed`,
    };
  try {
    const nfa = new Nfa();
    const end = nfa.build(parsePattern(pattern), nfa.start);
    return { ok: true, matcher: { pattern, matches: (reference) => nfa.accepts(reference, end) } };
  } catch (error) {
    if (error instanceof PatternError)
      return { ok: false, error: `case pattern ${JSON.stringify(pattern)}: ${error.message}` };
    throw error;
  }
}

function parsePattern(text: string): PatternNode {
  // The pattern is anchored anyway: a leading ^ and a trailing unescaped $ are accepted and dropped.
  let body = text.startsWith('^') ? text.slice(1) : text;
  if (body.endsWith('$') && (/\\*\$$/.exec(body)![0].length - 1) % 2 === 0) body = body.slice(0, -1);
  const parser = new Parser(body);
  const node = parser.alternation();
  if (!parser.done()) parser.fail('an unmatched ")"');
  return node;
}

class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at >= this.text.length;
  }

  fail(message: string): never {
    throw new PatternError(`${message} at character ${this.at + 1}`);
  }

  alternation(): PatternNode {
    const options = [this.sequence()];
    while (this.text[this.at] === '|') {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { kind: 'alt', options };
  }

  private sequence(): PatternNode {
    const items: PatternNode[] = [];
    while (!this.done() && this.text[this.at] !== '|' && this.text[this.at] !== ')')
      items.push(this.quantified(this.atom()));
    return { kind: 'seq', items };
  }

  private atom(): PatternNode {
    const char = this.text[this.at]!;
    switch (char) {
      case '(': {
        this.at++;
        if (this.text.startsWith('?:', this.at)) this.at += 2;
        else if (this.text[this.at] === '?') this.fail('lookarounds and named groups are not supported');
        const inner = this.alternation();
        if (this.text[this.at] !== ')') this.fail('a group that is not closed');
        this.at++;
        return inner;
      }
      case '[':
        return { kind: 'char', test: this.characterClass() };
      case '\\':
        return { kind: 'char', test: this.escape() };
      case '.':
        this.at++;
        return { kind: 'char', test: (c) => c !== 10 && c !== 13 };
      case '*':
      case '+':
      case '?':
      case '{':
        return this.fail(`nothing to repeat before "${char}"`);
      case '^':
      case '$':
        return this.fail('^ and $ only open and close the whole pattern (it is anchored anyway)');
      default:
        return { kind: 'char', test: this.literal() };
    }
  }

  private literal(): CharTest {
    const code = this.text.charCodeAt(this.at);
    if (code < 0x20 || code > 0x7e) this.fail('a case reference is visible ASCII: this character can never match');
    this.at++;
    return (c) => c === code;
  }

  /** `\d`, `\w`, `\s` (and negations), or an escaped punctuation character; nothing else. */
  private escape(): CharTest {
    const next = this.text[this.at + 1];
    if (next === undefined) this.fail('a "\\" that ends the pattern');
    const known = CLASS_ESCAPES[next];
    if (known) {
      this.at += 2;
      return known;
    }
    if (/[A-Za-z0-9]/.test(next))
      this.fail(`"\\${next}" is not supported (back-references, \\b, \\p… have no place in a format)`);
    this.at++;
    return this.literal();
  }

  private characterClass(): CharTest {
    this.at++; // [
    const negated = this.text[this.at] === '^';
    if (negated) this.at++;
    const tests: CharTest[] = [];
    let first = true;
    while (this.text[this.at] !== ']' || first) {
      if (this.done()) this.fail('a "[" class that is not closed');
      first = false;
      const start = this.classMember();
      if (typeof start === 'function') {
        tests.push(start);
        continue;
      }
      if (this.text[this.at] === '-' && this.text[this.at + 1] !== ']' && this.at + 1 < this.text.length) {
        this.at++;
        const end = this.classMember();
        if (typeof end === 'function') this.fail('a range cannot end with a class escape');
        if (end < start) this.fail('a range whose end comes before its start');
        tests.push((c) => c >= start && c <= end);
      } else tests.push((c) => c === start);
    }
    this.at++; // ]
    return negated ? (c) => !tests.some((t) => t(c)) : (c) => tests.some((t) => t(c));
  }

  /** One member of a class: a character code, or a class escape's test. */
  private classMember(): number | CharTest {
    if (this.text[this.at] === '\\') {
      const next = this.text[this.at + 1];
      if (next !== undefined && CLASS_ESCAPES[next]) {
        this.at += 2;
        return CLASS_ESCAPES[next];
      }
      if (next === undefined || /[A-Za-z0-9]/.test(next)) this.fail(`"\\${next ?? ''}" is not supported in a class`);
      this.at++;
    }
    const code = this.text.charCodeAt(this.at);
    if (code < 0x20 || code > 0x7e) this.fail('a case reference is visible ASCII: this character can never match');
    this.at++;
    return code;
  }

  private quantified(node: PatternNode): PatternNode {
    const char = this.text[this.at];
    let min: number;
    let max: number;
    if (char === '?') [min, max] = [0, 1];
    else if (char === '*') [min, max] = [0, Infinity];
    else if (char === '+') [min, max] = [1, Infinity];
    else if (char === '{') {
      const counted = /^\{(\d{1,3})(?:(,)(\d{1,3})?)?\}/.exec(this.text.slice(this.at));
      if (!counted) this.fail('write a repetition as {n}, {n,} or {n,m}');
      min = Number(counted[1]);
      max = counted[2] ? (counted[3] === undefined ? Infinity : Number(counted[3])) : min;
      if (min > MAX_REPEAT || (max !== Infinity && max > MAX_REPEAT))
        this.fail(`a repetition of more than ${MAX_REPEAT} (a case reference is at most 64 characters)`);
      if (max < min) this.fail(`{${min},${max}} repeats at most fewer times than at least`);
      this.at += counted[0].length - 1;
    } else return node;
    this.at++;
    // A lazy quantifier changes which match a search finds, not whether a whole reference matches.
    if (this.text[this.at] === '?') this.at++;
    const after = this.text[this.at];
    if (after !== undefined && '?*+{'.includes(after)) this.fail('a repetition of a repetition: group it first');
    return { kind: 'repeat', node, min, max };
  }
}

/** A Thompson NFA: states joined by character edges and empty (epsilon) edges. */
class Nfa {
  private readonly edges: { test?: CharTest; to: number }[][] = [[]];
  readonly start = 0;

  private state(): number {
    if (this.edges.length >= MAX_NFA_STATES)
      throw new PatternError(`too large once its repetitions are counted (over ${MAX_NFA_STATES} states)`);
    this.edges.push([]);
    return this.edges.length - 1;
  }

  private link(from: number, to: number, test?: CharTest): void {
    this.edges[from]!.push(test ? { test, to } : { to });
  }

  /** Adds the states matching `node` from `from`; returns the state reached at its end. */
  build(node: PatternNode, from: number): number {
    switch (node.kind) {
      case 'char': {
        const to = this.state();
        this.link(from, to, node.test);
        return to;
      }
      case 'seq':
        return node.items.reduce((at, item) => this.build(item, at), from);
      case 'alt': {
        const end = this.state();
        for (const option of node.options) {
          const start = this.state();
          this.link(from, start);
          this.link(this.build(option, start), end);
        }
        return end;
      }
      case 'repeat': {
        let at = from;
        for (let i = 0; i < node.min; i++) at = this.build(node.node, at);
        const end = this.state();
        if (node.max === Infinity) {
          const loop = this.state();
          this.link(at, loop);
          this.link(this.build(node.node, loop), loop);
          this.link(loop, end);
          return end;
        }
        for (let i = node.min; i < node.max; i++) {
          this.link(at, end);
          at = this.build(node.node, at);
        }
        this.link(at, end);
        return end;
      }
      default: {
        const unreachable: never = node;
        throw new Error(`unknown pattern node ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Every state at once, one character at a time: linear in the input whatever the pattern. */
  accepts(input: string, accepting: number): boolean {
    let current = this.closure([this.start]);
    for (let i = 0; i < input.length && current.size; i++) {
      const code = input.charCodeAt(i);
      const next: number[] = [];
      for (const state of current)
        for (const edge of this.edges[state]!) if (edge.test && edge.test(code)) next.push(edge.to);
      current = this.closure(next);
    }
    return current.has(accepting);
  }

  private closure(states: readonly number[]): Set<number> {
    const reached = new Set<number>();
    const stack = [...states];
    while (stack.length) {
      const state = stack.pop()!;
      if (reached.has(state)) continue;
      reached.add(state);
      for (const edge of this.edges[state]!) if (!edge.test && !reached.has(edge.to)) stack.push(edge.to);
    }
    return reached;
  }
}
