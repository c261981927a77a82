/**
 * Column-wise encoding of many JSON records, for the page: a 100,000-trial run repeats the same field names, task
 * names, statuses and small objects 100,000 times, which made the page 85 MB. Each field becomes one column, and a
 * column with few distinct values stores them once plus a small index per record. The page reads one record back
 * on demand (assets/columns.js); nothing is rounded, so a decoded record equals the original JSON.
 *
 * Forms (`u`, on the first three: rows where the field is absent, their slots holding a placeholder):
 * - `{ c }`: the same value in every row;
 * - `{ d, i }`: distinct values `d`, and per row its index into `d`;
 * - `{ v }`: the values as they are, when they barely repeat;
 * - `{ o, x?, k? }`: objects, one column per field (fields in the order they first appear); fields that take few
 *   values may instead travel together as one column `x` of partial objects, one small index per row rather than one
 *   per field (a trial's status, reward and error go together);
 * - `{ a, n, k? }`: arrays, `n` their lengths, `a` their items one after another;
 * - on the last two, `k` (a column) says per row whether it holds a value (0), null (1) or nothing (2); the field
 *   columns then cover only the rows that hold a value, so sparse objects (errors) cost nothing where they are null.
 */
export type Column =
  | { c: unknown; u?: number[] }
  | { d: unknown[]; i: number[]; u?: number[] }
  | { v: unknown[]; u?: number[] }
  | { o: Record<string, Column>; x?: Column; k?: Column }
  | { a: Column; n: Column; k?: Column };

/** Up to this many distinct values, a dictionary beats splitting objects or arrays into their own columns. */
const SMALL_DICTIONARY = 64;
/** Distinct combinations of grouped fields beyond this are not worth looking for. */
const GROUP_LIMIT = 4096;

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** One column from one value per row; `undefined` marks a row that lacks the field. */
export function encodeColumn(values: readonly unknown[]): Column {
  const absent: number[] = [];
  let allObjects = true;
  let allArrays = true;
  // A plain loop: it visits the holes of a sparse array (absent values) where forEach would skip them.
  for (let r = 0; r < values.length; r++) {
    const x = values[r];
    if (x === undefined) absent.push(r);
    else if (x !== null) {
      if (!isObject(x)) allObjects = false;
      if (!Array.isArray(x)) allArrays = false;
    }
  }
  const u = absent.length ? { u: absent } : {};
  const present = values.length - absent.length;
  // Objects and arrays are split into columns unless they take few distinct values: counting stops there, which
  // spares serialising every record only to find them all different.
  const structured = allObjects || allArrays;
  const dict = distinctValues(values, structured ? SMALL_DICTIONARY + 1 : Infinity);
  if (dict.table.length <= 1 && present === dict.counted) return { c: dict.table.length ? dict.table[0] : null, ...u };
  const few = dict.table.length <= SMALL_DICTIONARY && dict.counted === present;
  if (!few && structured) return encodeStructured(values, allObjects);
  if (few || dict.table.length * 2 <= present) return { d: dict.table, i: dict.index, ...u };
  return { v: Array.from(values, (x) => (x === undefined ? null : x)), ...u };
}

/** Distinct values by their JSON, and each row's index among them (0 for absent rows); stops past `limit`. */
function distinctValues(values: readonly unknown[], limit: number): { table: unknown[]; index: number[]; counted: number } {
  const distinct = new Map<unknown, number>();
  const table: unknown[] = [];
  const index = new Array<number>(values.length).fill(0);
  let counted = 0;
  for (let r = 0; r < values.length; r++) {
    const x = values[r];
    if (x === undefined) continue;
    // Plain values are their own keys (a Map keeps 1 and "1" apart); only objects and arrays are serialised.
    const k = typeof x === 'object' && x !== null ? JSON.stringify(x) : x;
    let at = distinct.get(k);
    if (at === undefined) {
      if (table.length >= limit) break;
      at = table.length;
      distinct.set(k, at);
      table.push(x);
    }
    index[r] = at;
    counted++;
  }
  return { table, index, counted };
}

/** Objects (or arrays) split into columns over the rows that hold one, `k` marking null and absent rows. */
function encodeStructured(values: readonly unknown[], objects: boolean): Column {
  const held = values.filter((x) => x !== null && x !== undefined);
  const k = held.length === values.length ? {} : { k: encodeColumn(Array.from(values, (x) => (x === undefined ? 2 : x === null ? 1 : 0))) };
  return { ...(objects ? encodeObjects(held as Array<Record<string, unknown>>) : encodeArrays(held as unknown[][])), ...k };
}

/** Records (every row an object), one column per field. */
export function encodeObjects(rows: ReadonlyArray<Record<string, unknown>>): { o: Record<string, Column>; x?: Column } {
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const x of rows) {
    for (const f in x) {
      if (!seen.has(f)) {
        seen.add(f);
        fields.push(f);
      }
    }
  }
  return encodeFields(fields.map((f) => [f, rows.map((x) => (Object.hasOwn(x, f) ? x[f] : undefined))]));
}

/** Records given field by field (each field's values, `undefined` where a row lacks it), one column per field. */
export function encodeFields(fields: ReadonlyArray<readonly [string, readonly unknown[]]>): { o: Record<string, Column>; x?: Column } {
  const o: Record<string, Column> = {};
  for (const [f, values] of fields) o[f] = encodeColumn(values);
  return groupFew(new Map(fields), o);
}

function encodeArrays(rows: ReadonlyArray<unknown[]>): { a: Column; n: Column } {
  return { a: encodeColumn(rows.flat()), n: encodeColumn(rows.map((x) => x.length)) };
}

/** Fields with few values as one column of partial objects, when that is smaller than a column each. */
function groupFew(values: ReadonlyMap<string, readonly unknown[]>, o: Record<string, Column>): { o: Record<string, Column>; x?: Column } {
  const few = Object.keys(o).filter((f) => 'c' in o[f]! || 'd' in o[f]!);
  if (few.length < 2) return { o };
  const rows = values.get(few[0]!)!.length;
  // A row's combination, from the indexes the columns already hold: no value is serialised again.
  const codes = few.map((f) => {
    const col = o[f] as { i?: number[]; u?: number[] };
    const absent = new Set(col.u ?? []);
    return (r: number) => (absent.has(r) ? -1 : (col.i?.[r] ?? 0));
  });
  const combos = new Map<string, number>();
  const table: Array<Record<string, unknown>> = [];
  const index = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    const key = codes.map((code) => code(r)).join(',');
    let at = combos.get(key);
    if (at === undefined) {
      if (table.length >= GROUP_LIMIT) return { o };
      at = table.length;
      combos.set(key, at);
      const partial: Record<string, unknown> = {};
      for (const f of few) {
        const x = values.get(f)![r];
        if (x !== undefined) partial[f] = x;
      }
      table.push(partial);
    }
    index[r] = at;
  }
  const x: Column = table.length === 1 ? { c: table[0] } : { d: table, i: index };
  const separate = few.reduce((n, f) => n + JSON.stringify(o[f]).length, 0);
  if (JSON.stringify(x).length >= separate) return { o };
  const rest = Object.fromEntries(Object.entries(o).filter(([f]) => !few.includes(f)));
  return { o: rest, x };
}
