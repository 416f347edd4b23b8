/**
 * Orders changes so that every statement is valid when it runs: an object is created after
 * everything it requires, dropped after everything that stopped depending on it, and re-created
 * after its old form is dropped. Ties (and cycles, which are broken rather than fatal) fall back to
 * the change's phase, then its position in the input.
 */
import type { Change } from '../diff/change.js';

/** A binary min-heap of change indexes keyed by (phase, index). */
class Heap {
  private a: number[] = [];
  constructor(private readonly key: (i: number) => number) {}
  get size(): number { return this.a.length; }
  push(i: number): void {
    const a = this.a;
    a.push(i);
    let k = a.length - 1;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (this.key(a[p]!) <= this.key(a[k]!)) break;
      [a[p], a[k]] = [a[k]!, a[p]!];
      k = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      let k = 0;
      for (;;) {
        const l = 2 * k + 1, r = l + 1;
        let m = k;
        if (l < a.length && this.key(a[l]!) < this.key(a[m]!)) m = l;
        if (r < a.length && this.key(a[r]!) < this.key(a[m]!)) m = r;
        if (m === k) break;
        [a[m], a[k]] = [a[k]!, a[m]!];
        k = m;
      }
    }
    return top;
  }
}

/** Result of ordering: the changes in execution order, and any dependency cycle that had to be broken. */
export interface Ordered {
  changes: Change[];
  /** Identities of changes placed before a dependency could be satisfied (a cycle); empty normally. */
  cycles: string[];
}

/** Topologically sorts `changes` (stable, deterministic). Pure. */
export function orderChanges(changes: Change[]): Ordered {
  const n = changes.length;
  const index = (m: Map<string, number[]>, id: string, i: number) => {
    const l = m.get(id);
    if (l) l.push(i);
    else m.set(id, [i]);
  };
  const creators = new Map<string, number[]>();
  const droppers = new Map<string, number[]>();
  const releasers = new Map<string, number[]>();
  const byId = new Map<string, number[]>();
  changes.forEach((c, i) => {
    for (const id of c.creates) index(creators, id, i);
    for (const id of c.drops) index(droppers, id, i);
    for (const id of c.releases) index(releasers, id, i);
    index(byId, c.id, i);
  });
  const succ: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const edge = (before: number, after: number) => {
    if (before !== after) succ[before]!.add(after);
  };
  changes.forEach((c, i) => {
    for (const r of c.requires) for (const b of creators.get(r) ?? []) edge(b, i);
    for (const d of c.drops) for (const b of releasers.get(d) ?? []) edge(b, i);
    for (const x of c.creates) for (const b of droppers.get(x) ?? []) if (!changes[b]!.creates.includes(x)) edge(b, i);
  });
  // Steps on the same object keep their phase order (drop default → change type → set default).
  for (const list of byId.values()) {
    const sorted = [...list].sort((a, b) => changes[a]!.phase - changes[b]!.phase || a - b);
    for (let k = 1; k < sorted.length; k++) if (changes[sorted[k - 1]!]!.phase !== changes[sorted[k]!]!.phase) edge(sorted[k - 1]!, sorted[k]!);
  }
  const indeg = new Array<number>(n).fill(0);
  for (const s of succ) for (const j of s) indeg[j]!++;
  const key = (i: number) => changes[i]!.phase * 1e7 + i;
  const ready = new Heap(key);
  for (let i = 0; i < n; i++) if (indeg[i] === 0) ready.push(i);
  const done = new Array<boolean>(n).fill(false);
  const out: Change[] = [];
  const cycles: string[] = [];
  while (out.length < n) {
    let i: number;
    if (ready.size) {
      i = ready.pop();
      if (done[i]) continue;
    } else {
      // A cycle: take the lowest remaining change regardless of its unmet dependencies.
      let best = -1;
      for (let k = 0; k < n; k++) if (!done[k] && (best < 0 || key(k) < key(best))) best = k;
      i = best;
      cycles.push(changes[i]!.id);
    }
    done[i] = true;
    out.push(changes[i]!);
    for (const j of succ[i]!) if (--indeg[j]! === 0 && !done[j]) ready.push(j);
  }
  return { changes: out, cycles };
}
