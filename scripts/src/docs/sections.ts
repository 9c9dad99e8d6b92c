/**
 * Generated sections of a Markdown file: the text between `<!-- NAME:start -->` and
 * `<!-- NAME:end -->` is written by `hub docs`, everything around it by people.
 */
function markers(name: string): [string, string] {
  return [`<!-- ${name}:start -->`, `<!-- ${name}:end -->`];
}

/** The text between `<!-- NAME:start -->` and `<!-- NAME:end -->`. */
export function readSection(markdown: string, name: string): string {
  const [start, end] = markers(name);
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the file lacks the ${start} … ${end} markers`);
  return markdown
    .slice(from + start.length, to)
    .replace(/^\n/, '')
    .replace(/\n$/, '');
}

/** Replaces the text of each named section. */
export function replaceSections(markdown: string, sections: Record<string, string>): string {
  let out = markdown;
  for (const [name, text] of Object.entries(sections)) {
    const [start, end] = markers(name);
    readSection(out, name);
    out = `${out.slice(0, out.indexOf(start) + start.length)}\n${text}\n${out.slice(out.indexOf(end))}`;
  }
  return out;
}
