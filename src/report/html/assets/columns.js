// @ts-check
// Reads one record back out of the column-wise form that columns.ts writes. Nothing is decoded up front: a run of
// 100,000 trials is opened one matrix cell at a time. Values from a dictionary are shared between records; the page
// only reads them.
(function () {
  'use strict';
  /** @type {any} */
  const HB = (window.HB = window.HB || {});
  /** Returned for a field the record lacks; never a JSON value. */
  const ABSENT = Symbol('absent');

  /** Rows listed in `col[name]`, as a Set made on first use. @param {any} col @param {string} name */
  function rowSet(col, name) {
    const key = `_${name}`;
    if (!col[key]) Object.defineProperty(col, key, { value: new Set(col[name] || []) });
    return col[key];
  }

  /** Where row `r`'s items start and end in an array column's `a`; lengths are summed once. @param {any} col @param {number} r */
  function span(col, r) {
    // Lengths are numbers in every row: a constant, a dictionary or plain values.
    if ('c' in col.n) return [r * col.n.c, (r + 1) * col.n.c];
    if (!col._off) {
      const rows = (col.n.i || col.n.v).length;
      const off = new Array(rows + 1);
      off[0] = 0;
      for (let k = 0; k < rows; k++) off[k + 1] = off[k] + (col.n.d ? col.n.d[col.n.i[k]] : col.n.v[k]);
      Object.defineProperty(col, '_off', { value: off });
    }
    return [col._off[r], col._off[r + 1]];
  }

  /** Among the rows that hold a value, the place of row `r`; counted once per column. @param {any} col @param {number} r */
  function rank(col, r) {
    if (!col._rank) {
      const kinds = col.k;
      const rows = (kinds.i || kinds.v).length;
      const at = new Int32Array(rows);
      for (let q = 0, n = 0; q < rows; q++) at[q] = get(kinds, q) === 0 ? n++ : -1;
      Object.defineProperty(col, '_rank', { value: at });
    }
    return col._rank[r];
  }

  /** The value of row `r`, or ABSENT. @param {any} col @param {number} r @returns {any} */
  function get(col, r) {
    if (col.u && rowSet(col, 'u').has(r)) return ABSENT;
    if ('c' in col) return col.c;
    if (col.d) return col.d[col.i[r]];
    if (col.v) return col.v[r];
    if (col.k) {
      const kind = get(col.k, r);
      if (kind !== 0) return kind === 1 ? null : ABSENT;
      r = rank(col, r);
    }
    if (col.o) {
      const out = col.x ? Object.assign({}, get(col.x, r)) : {};
      for (const f of Object.keys(col.o)) {
        const x = get(col.o[f], r);
        if (x !== ABSENT) out[f] = x;
      }
      return out;
    }
    const [from, to] = span(col, r);
    const items = [];
    for (let j = from; j < to; j++) items.push(get(col.a, j));
    return items;
  }

  HB.columns = { get, ABSENT };
})();
