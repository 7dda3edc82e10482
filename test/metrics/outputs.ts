/** Readers for the CI outputs (--junit, --hlog), shared by the metrics units and the CLI tests. */
import assert from 'node:assert/strict';
import { HistogramLogReader } from 'hdr-histogram-js';

export interface XmlElement { name: string; attrs: Record<string, string>; text: string; children: XmlElement[] }

/**
 * A small well-formedness check (no XML parser among the dependencies): one declaration, properly nested and
 * closed elements, quoted attributes without raw '<' or '&', known entities only, no raw '<'/'&' in text.
 */
export function assertWellFormedXml(xml: string): XmlElement[] {
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/);
  const body = xml.replace(/^<\?xml[^>]*\?>\n/, '');
  const ENTITY = /&(?!(?:amp|lt|gt|quot|apos);)/;
  const stack: XmlElement[] = [];
  const roots: typeof stack = [];
  const TOKEN = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = TOKEN.exec(body)) !== null) {
    pos = TOKEN.lastIndex;
    if (m[5] !== undefined) {
      assert.doesNotMatch(m[5], ENTITY, `bad entity in text: ${m[5]}`);
      if (stack.length === 0) assert.equal(m[5].trim(), '', `text outside the root: ${m[5]}`);
      else stack[stack.length - 1]!.text += m[5];
      continue;
    }
    const [, close, name, rawAttrs, selfClose] = m;
    if (close) {
      const open = stack.pop();
      assert.equal(open?.name, name, `</${name}> closes <${open?.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of rawAttrs!.matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      assert.doesNotMatch(a[2]!, ENTITY, `bad entity in attribute: ${a[2]}`);
      assert.equal(attrs[a[1]!], undefined, `duplicate attribute ${a[1]}`);
      attrs[a[1]!] = a[2]!.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
    }
    const el: XmlElement = { name: name!, attrs, text: '', children: [] };
    if (stack.length > 0) stack[stack.length - 1]!.children.push(el); else roots.push(el);
    if (!selfClose) stack.push(el);
  }
  assert.equal(pos, body.length, `unparsable XML at: ${body.slice(pos, pos + 60)}`);
  assert.equal(stack.length, 0, `unclosed: ${stack.map((e) => e.name).join(', ')}`);
  assert.equal(roots.length, 1, 'exactly one root element');
  return roots;
}

/** Every interval of a log, read back with hdr-histogram-js's own HistogramLogReader. */
export function readHlog(text: string): { tag: string; startMs: number; endMs: number; count: number; max: number }[] {
  const reader = new HistogramLogReader(text);
  const out = [];
  for (let h = reader.nextIntervalHistogram(); h !== null; h = reader.nextIntervalHistogram()) {
    out.push({ tag: h.tag ?? '', startMs: h.startTimeStampMsec, endMs: h.endTimeStampMsec, count: h.totalCount, max: h.maxValue });
  }
  return out;
}

