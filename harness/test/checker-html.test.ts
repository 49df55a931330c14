/** The checker's picture: self-contained HTML that marks the partial linearization and what failed after it. */
import { expect } from "chai";
import { checkOperations } from "../checker/check";
import { renderHtml, type Annotation } from "../checker/html";
import { etcdRegister, kvAppend } from "../checker/models";
import type { Operation } from "../checker/model";

/** The JSON the page's script reads. */
function pageData(html: string): any {
  const m = /<script type="application\/json" id="data">([\s\S]*?)<\/script>/.exec(html);
  expect(m, "the data block").to.not.equal(null);
  return JSON.parse(m![1]);
}

describe("checker: the HTML report", () => {
  // write(1), then read() → 1 and a concurrent write(2); then a read that saw 3, which nothing wrote.
  const history: Operation[] = [
    { clientId: 0, input: { op: "write", value: 1 }, output: {}, call: 0, return: 10 },
    { clientId: 1, input: { op: "read" }, output: { exists: true, value: 1 }, call: 20, return: 30 },
    { clientId: 2, input: { op: "write", value: 2 }, output: {}, call: 25, return: 40 },
    { clientId: 0, input: { op: "read" }, output: { exists: true, value: 3 }, call: 50, return: 60 },
  ];
  const annotations: Annotation[] = [
    { start: 15, end: 35, label: "partition {0} {1,2}", color: "#e57373", tag: "network", details: "leader isolated" },
    { start: 45, label: "crash server 1", color: "#7b1fa2" },
  ];

  it("is self-contained: no address to fetch, no external stylesheet or script", () => {
    const result = checkOperations(etcdRegister, history);
    const html = renderHtml(result, history, etcdRegister, annotations);
    expect(html).to.match(/^<!DOCTYPE html>/);
    expect(html).to.not.match(/https?:/i);
    expect(html).to.not.match(/<(script|img|link|iframe)[^>]*\s(src|href)=/i);
    expect(html).to.not.match(/@import|url\(/i);
  });

  it("marks the longest partial linearization and the operations that could not follow it", () => {
    const result = checkOperations(etcdRegister, history);
    expect(result.verdict).to.equal("illegal");
    expect(result.partitions[0].partials[0]).to.deep.equal([0, 1, 2]);
    const html = renderHtml(result, history, etcdRegister, annotations);
    expect(html).to.include('<g class="lin shown" data-l="0">');
    expect(html.match(/<line class="lp"/g)).to.have.length(3);
    expect(html).to.include('<g class="bad" id="first-0">'); // read() → 3, rejected after the prefix
    expect(html).to.include("longest partial linearization: 3 of 4");
    const data = pageData(html);
    const lin = data.parts[0].lins[0];
    expect(lin.ops).to.deep.equal([0, 1, 2]);
    expect(lin.states.map((i: number) => data.states[i])).to.deep.equal(["nil", "1", "1", "2"]);
    expect(lin.next).to.deep.equal([{ op: 3, after: -1 }]);
    expect(data.ops[3].text).to.equal("read() → 3");
    expect(data.parts[0].hover[3]).to.equal(0);
  });

  it("draws annotations on the same axis, in their lanes, with their colours", () => {
    const html = renderHtml(checkOperations(etcdRegister, history), history, etcdRegister, annotations);
    expect(html).to.include(">network</text>").and.include(">events</text>");
    expect(html).to.include("partition {0} {1,2}").and.include("crash server 1");
    expect(html).to.include('fill="#e57373"').and.include('stroke="#7b1fa2"');
    expect(html).to.include("leader isolated");
  });

  it("escapes what the history says, so that a value cannot break the page", () => {
    const evil = "</script><script>alert(1)</script><b>";
    const h: Operation[] = [
      { clientId: 0, input: { op: "append", key: "k", value: evil }, output: {}, call: 0, return: 1 },
      { clientId: 1, input: { op: "get", key: "k" }, output: { value: "nope" }, call: 2, return: 3 },
    ];
    const html = renderHtml(checkOperations(kvAppend, h), h, kvAppend, [{ start: 0, label: evil }]);
    expect(html).to.not.include("<script>alert(1)");
    expect(html).to.not.include("<b>");
    expect(html.match(/<script/g)).to.have.length(2); // the data block and the page's script
    expect(pageData(html).states).to.include(JSON.stringify(evil));
  });

  it("shows every partition, failing ones first and open, and a complete linearization for ok ones", () => {
    const h: Operation[] = [
      { clientId: 0, input: { op: "append", key: "a", value: "x" }, output: {}, call: 0, return: 1 },
      { clientId: 0, input: { op: "get", key: "a" }, output: { value: "x" }, call: 2, return: 3 },
      { clientId: 1, input: { op: "get", key: "b" }, output: { value: "y" }, call: 0, return: 3 },
    ];
    const result = checkOperations(kvAppend, h, { allPartitions: true });
    const html = renderHtml(result, h, kvAppend);
    expect(html.indexOf('id="part-1" open')).to.be.greaterThan(-1);
    expect(html.indexOf('id="part-1"')).to.be.lessThan(html.indexOf('id="part-0"'));
    expect(html).to.match(/<details id="part-0">/);
    expect(html).to.include("longest partial linearization: 0 of 1");
    expect(pageData(html).parts[0].lins[0].ops).to.deep.equal([0, 1]);
  });
});
