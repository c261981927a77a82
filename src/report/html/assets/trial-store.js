// @ts-check
// The trials of the page, rebuilt one at a time from the column-wise form that page-data.ts writes: a cell's trials
// when the cell is opened, all of them only to find a trial a link names. Each trial comes back exactly as the
// report model had it (task, harness, key, id and raw-file folder from its cell and its own fields).
(function () {
  'use strict';
  /** @type {any} */
  const HB = window.HB;
  const { get } = HB.columns;
  /** Fields of the stored form only; see reduce() in page-data.ts. */
  const HELPERS = new Set(['kh', 'idp', 'rawp', 'sa', 'ea']);

  /** @param {any} m the page model */
  HB.trialStore = function (m) {
    const enc = m.trials;
    const cells = m.matrix.cells;
    /** @type {Map<number, any>} */
    const cache = new Map();
    /** @type {Int32Array | null} */
    let owner = null;
    /** @type {Map<string, number> | null} */
    let ids = null;

    /** @param {number} i @param {any} cell the cell the trial is in, or null */
    function expand(i, cell) {
      const row = get(enc.rows, i);
      /** @type {Record<string, any>} */
      const t = {};
      for (const k of Object.keys(row)) if (!HELPERS.has(k)) t[k] = row[k];
      const has = (/** @type {string} */ k) => Object.prototype.hasOwnProperty.call(row, k);
      if (!has('taskId')) t.taskId = cell.taskId;
      if (!has('harness')) t.harness = cell.harness;
      if (!has('trial')) t.trial = i - cell.t[0] + 1;
      if (!has('key')) t.key = `${t.taskId}__${has('kh') ? row.kh : t.harness}__${t.trial}`;
      if (!has('id')) t.id = row.idp + t.key;
      if (!has('raw')) t.raw = `${row.rawp}${encodeURIComponent(t.key)}/`;
      if (has('sa')) t.startedAt = new Date(enc.base + row.sa).toISOString();
      if (has('ea')) t.endedAt = new Date(enc.base + row.sa + row.ea).toISOString();
      return t;
    }

    /** The cell index of every trial, made on first use (-1: in no cell). */
    function owners() {
      if (!owner) {
        owner = new Int32Array(enc.count).fill(-1);
        cells.forEach((/** @type {any} */ c, /** @type {number} */ ci) => owner && owner.fill(ci, c.t[0], c.t[0] + c.t[1]));
      }
      return owner;
    }

    /** @param {number} i @param {any} [cell] */
    function at(i, cell) {
      if (!cache.has(i)) {
        const ci = cell === undefined ? owners()[i] : -2;
        cache.set(i, expand(i, cell === undefined ? (ci >= 0 ? cells[ci] : null) : cell));
      }
      return cache.get(i);
    }

    return {
      count: enc.count,
      at,
      /** @param {any} c a matrix cell */
      ofCell(c) {
        const out = [];
        for (let i = c.t[0]; i < c.t[0] + c.t[1]; i++) out.push(at(i, c));
        return out;
      },
      /** The trial with this id and its cell, or null. @param {string} id */
      byId(id) {
        if (!ids) {
          ids = new Map();
          for (let i = enc.count - 1; i >= 0; i--) ids.set(at(i).id, i);
        }
        const i = ids.get(id);
        if (i === undefined) return null;
        const ci = owners()[i];
        return { trial: at(i), cell: ci >= 0 ? cells[ci] : null };
      },
    };
  };
})();
