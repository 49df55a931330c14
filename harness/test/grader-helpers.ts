import { expect } from "chai";

/**
 * Helpers of the grader tests. A small, strict XML parser: elements, attributes, text, comments, the XML
 * declaration and the five predefined entities plus numeric references. It throws on anything
 * malformed (unclosed or mismatched tags, bad attributes, a stray '<' or '&'), so a report that
 * parses here is well-formed.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export function parseXml(source: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    const line = source.slice(0, i).split("\n").length;
    throw new Error(`XML: ${what} at line ${line}: ${JSON.stringify(source.slice(i, i + 40))}`);
  };
  const skipSpace = () => {
    while (i < source.length && /\s/.test(source[i])) i++;
  };
  const decode = (s: string) => {
    if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(s)) fail("a bare '&'");
    return s.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) =>
      e === "amp"
        ? "&"
        : e === "lt"
          ? "<"
          : e === "gt"
            ? ">"
            : e === "quot"
              ? '"'
              : e === "apos"
                ? "'"
                : String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
    );
  };
  const name = () => {
    const m = /^[A-Za-z_][\w.:-]*/.exec(source.slice(i));
    if (!m) fail("expected a name");
    i += m![0].length;
    return m![0];
  };
  const element = (): XmlElement => {
    if (source[i] !== "<") fail("expected '<'");
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: "" };
    for (;;) {
      skipSpace();
      if (source.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (source[i] === ">") {
        i++;
        break;
      }
      const key = name();
      skipSpace();
      if (source[i] !== "=") fail(`expected '=' after attribute ${key}`);
      i++;
      skipSpace();
      const quote = source[i];
      if (quote !== '"' && quote !== "'") fail("expected a quoted attribute value");
      const end = source.indexOf(quote, i + 1);
      if (end < 0) fail("unterminated attribute value");
      const raw = source.slice(i + 1, end);
      if (raw.includes("<")) fail("'<' in an attribute value");
      if (key in el.attrs) fail(`duplicate attribute ${key}`);
      el.attrs[key] = decode(raw);
      i = end + 1;
    }
    for (;;) {
      if (i >= source.length) fail(`unclosed <${el.name}>`);
      if (source.startsWith("<!--", i)) {
        const end = source.indexOf("-->", i);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else if (source.startsWith("</", i)) {
        i += 2;
        const closing = name();
        if (closing !== el.name) fail(`</${closing}> closes <${el.name}>`);
        skipSpace();
        if (source[i] !== ">") fail("expected '>'");
        i++;
        return el;
      } else if (source[i] === "<") {
        el.children.push(element());
      } else {
        const next = source.indexOf("<", i);
        const chunk = source.slice(i, next < 0 ? source.length : next);
        el.text += decode(chunk);
        i += chunk.length;
      }
    }
  };
  if (source.startsWith("<?xml")) {
    const end = source.indexOf("?>");
    if (end < 0) fail("unterminated declaration");
    i = end + 2;
  }
  skipSpace();
  const root = element();
  skipSpace();
  if (i !== source.length) fail("content after the root element");
  return root;
}

export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** Gradescope's results.json schema, the fields raftgrade writes (https://gradescope-autograders.readthedocs.io/en/latest/specs/). */
export function validateGradescope(gs: Record<string, unknown>): void {
  expect(gs.score, "score").to.be.a("number");
  expect(gs.tests, "tests").to.be.an("array").that.is.not.empty;
  for (const t of gs.tests as Record<string, unknown>[]) {
    expect(t.name, "name").to.be.a("string");
    expect(t.score, `${t.name}.score`).to.be.a("number");
    expect(t.max_score, `${t.name}.max_score`).to.be.a("number");
    expect(t.score as number).to.be.at.most(t.max_score as number);
    expect(t.status, `${t.name}.status`).to.be.oneOf(["passed", "failed"]);
    expect(t.output, `${t.name}.output`).to.be.a("string");
    for (const key of Object.keys(t))
      expect([
        "name",
        "number",
        "score",
        "max_score",
        "status",
        "output",
        "tags",
        "visibility",
        "output_format",
        "name_format",
      ]).to.include(key);
  }
  for (const key of Object.keys(gs))
    expect([
      "score",
      "execution_time",
      "output",
      "output_format",
      "test_output_format",
      "test_name_format",
      "visibility",
      "stdout_visibility",
      "extra_data",
      "tests",
      "leaderboard",
    ]).to.include(key);
}
