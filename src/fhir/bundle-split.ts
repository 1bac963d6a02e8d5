/**
 * Splits the JSON text of a Bundle, as it streams in, into the text of each `entry` item and the
 * rest of the Bundle (its "shell", with `"entry":[]`), so a Bundle of any size can be parsed and
 * validated one entry at a time in bounded memory. Only the structure is followed here (strings,
 * nesting, the top-level keys); each piece is parsed afterwards by the one FHIR JSON parser.
 *
 * Works on bytes: every structural character of JSON is ASCII, and no byte of a multi-byte UTF-8
 * sequence is below 0x80, so no decoding is needed to find them.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
const NEWLINE = 0x0a;

export interface EntryText {
  /** Position in the entry array. */
  index: number;
  /** The JSON text of the item (an object in a well-formed Bundle). */
  text: string;
  /** Line (1-based) and column where the item starts in the whole text. */
  line: number;
  column: number;
}

/** The text is not shaped like a Bundle's JSON (unbalanced, not an object, `entry` not an array). */
export class BundleShapeError extends Error {
  override name = 'BundleShapeError';
}

export class BundleSplitter {
  /** Nesting depth at the current position: 1 inside the top-level object. */
  private depth = 0;
  private inString = false;
  /** The chunk before ended inside a string on an escaping backslash. */
  private escaped = false;
  /** Bytes of the top-level key being read (depth 1), and the last complete one. */
  private keyParts: Buffer[] | undefined;
  private lastKey = '';
  private expectValue = false;
  /** 'before': entry array not reached; 'in': inside it; 'after': done with it. */
  private entryState: 'before' | 'in' | 'after' = 'before';
  private shellParts: Buffer[] = [];
  private itemParts: Buffer[] | undefined;
  private itemStart = { line: 0, column: 0 };
  private index = 0;
  private line = 1;
  private lineStart = 0;
  /** Bytes consumed before the current chunk, for columns. */
  private offset = 0;
  private entries: EntryText[] = [];

  /** Feeds the next chunk; returns the entry items completed in it. */
  push(chunk: Buffer): EntryText[] {
    this.entries = [];
    let copyFrom = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const c = chunk[i]!;
      if (this.inString) {
        // The closing quote: the next one not escaped by an odd run of backslashes. JSON strings
        // hold no raw newlines, so no line is counted inside one.
        let q = i - 1;
        for (;;) {
          q = chunk.indexOf(QUOTE, q + 1);
          if (q < 0) break;
          let backslashes = 0;
          while (q - 1 - backslashes >= i && chunk[q - 1 - backslashes] === BACKSLASH) backslashes++;
          // A run of backslashes reaching the chunk's start continues one from the previous chunk.
          if (q - backslashes === i && this.escaped) backslashes++;
          if (backslashes % 2 === 0) break;
        }
        if (q < 0) {
          this.escaped = trailingBackslashes(chunk, i, n, this.escaped) % 2 === 1;
          if (this.keyParts) this.keyParts.push(chunk.subarray(i, n));
          i = n;
          break;
        }
        this.escaped = false;
        if (this.keyParts) {
          this.keyParts.push(chunk.subarray(i, q));
          this.lastKey = Buffer.concat(this.keyParts).toString('utf8');
          this.keyParts = undefined;
        }
        this.inString = false;
        i = q;
        continue;
      }
      switch (c) {
        case QUOTE:
          if (this.depth === 2 && this.entryState === 'in') throw new BundleShapeError('an entry is not a JSON object');
          this.inString = true;
          if (this.depth === 1 && !this.expectValue) this.keyParts = [];
          break;
        case COLON:
          if (this.depth === 1) this.expectValue = true;
          break;
        case COMMA:
          if (this.depth === 1) this.expectValue = false;
          break;
        case NEWLINE:
          this.line++;
          this.lineStart = this.offset + i + 1;
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          if (this.depth === 0 && c !== OPEN_BRACE) throw new BundleShapeError('the text is not a JSON object');
          if (this.depth === 1 && this.expectValue && this.lastKey === 'entry') {
            if (c !== OPEN_BRACKET) throw new BundleShapeError('"entry" is not an array');
            if (this.entryState !== 'before') throw new BundleShapeError('"entry" appears twice');
            this.entryState = 'in';
            // The shell keeps `[`; the items go elsewhere.
            this.shellParts.push(chunk.subarray(copyFrom, i + 1));
            copyFrom = i + 1;
          } else if (this.depth === 2 && this.entryState === 'in') {
            if (c !== OPEN_BRACE) throw new BundleShapeError('an entry is not a JSON object');
            this.startItem(i);
            copyFrom = i;
          }
          this.depth++;
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          this.depth--;
          if (this.depth < 0) throw new BundleShapeError('unbalanced } or ]');
          if (this.depth === 2 && this.entryState === 'in' && this.itemParts) {
            this.itemParts.push(chunk.subarray(copyFrom, i + 1));
            this.endItem();
            copyFrom = i + 1;
          } else if (this.depth === 1 && this.entryState === 'in') {
            // The closing `]` of the entry array: what lay between the items (commas, blanks) is dropped.
            this.entryState = 'after';
            copyFrom = i;
          }
          break;
        default:
          // A number, true, false or null in the entry array.
          if (this.depth === 2 && this.entryState === 'in' && c > 0x20) throw new BundleShapeError('an entry is not a JSON object');
          break;
      }
    }
    if (this.itemParts) this.itemParts.push(chunk.subarray(copyFrom, n));
    else if (this.entryState !== 'in') this.shellParts.push(chunk.subarray(copyFrom, n));
    this.offset += n;
    return this.entries;
  }

  /** The text of the Bundle without its entries (`"entry":[]`); throws when the text ended early. */
  end(): string {
    if (this.depth !== 0 || this.inString || this.entryState === 'in') throw new BundleShapeError('the text ends inside an object, array or string');
    return Buffer.concat(this.shellParts).toString('utf8');
  }

  private startItem(i: number): void {
    this.itemParts = [];
    this.itemStart = { line: this.line, column: this.offset + i - this.lineStart + 1 };
  }

  private endItem(): void {
    const text = Buffer.concat(this.itemParts!).toString('utf8');
    this.entries.push({ index: this.index++, text, ...this.itemStart });
    this.itemParts = undefined;
  }
}

/** Whether the text from `from` to `to` ends in an escaping backslash: the parity of the trailing run, counting one carried in. */
function trailingBackslashes(chunk: Buffer, from: number, to: number, carried: boolean): number {
  let run = 0;
  while (to - 1 - run >= from && chunk[to - 1 - run] === BACKSLASH) run++;
  return run === to - from && carried ? run + 1 : run;
}
