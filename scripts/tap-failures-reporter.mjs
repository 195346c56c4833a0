// tap reporter (`"reporter"` in package.json's tap config): the raw TAP stream, unchanged, plus a
// list of every failing test before tap's closing lines, so a failing `npm test` of several
// thousand lines ends with what failed instead of making people search for "not ok".
// A stream class is one of the reporter kinds tap accepts; tap-parser (tap's own) reads the stream.
import { Transform } from 'node:stream';
import { Parser } from 'tap-parser';

export default class FailuresReporter extends Transform {
  constructor() {
    super();
    this.failures = [];
    this.pending = '';
    /** Top-level comment lines at the end of what was seen so far: tap's closing lines stay last. */
    this.trailing = [];
    this.parser = new Parser();
    const watch = (parser) => {
      parser.on('child', watch);
      parser.on('assert', (r) => {
        if (!r.ok && !r.todo && !r.skip) this.failures.push(r.fullname || r.name);
      });
    };
    watch(this.parser);
  }

  _transform(chunk, _enc, done) {
    const text = this.pending + String(chunk);
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    for (const line of lines) this.line(line);
    done();
  }

  _flush(done) {
    if (this.pending !== '') this.line(this.pending);
    this.parser.end();
    // A failing subtest is listed through its failing assertions, not also on its own.
    const leaves = this.failures.filter((f) => !this.failures.some((g) => g !== f && g.startsWith(`${f} > `)));
    const unique = [...new Set(leaves)];
    if (unique.length > 0) {
      this.push(`# ${unique.length} failing test point(s):\n`);
      for (const f of unique) this.push(`#   not ok: ${f}\n`);
    }
    for (const line of this.trailing) this.push(`${line}\n`);
    done();
  }

  line(line) {
    this.parser.write(`${line}\n`);
    if (line.startsWith('# ')) {
      this.trailing.push(line);
      return;
    }
    for (const held of this.trailing) this.push(`${held}\n`);
    this.trailing = [];
    this.push(`${line}\n`);
  }
}
