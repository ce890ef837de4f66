import type { Vhm } from '@xdv/core';

export interface TreeRow {
  vhm: Vhm;
  depth: number;
  hasChildren: boolean;
  /** Shown only as the ancestor of a match. */
  context: boolean;
}

export interface TreeFilter {
  q: string;
  state: string;
  tenant: string;
}

const num = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1)) || 0;
const byId = (a: Vhm, b: Vhm) => num(a.id) - num(b.id);

/**
 * Flatten the VHM forest into visible rows (depth-first, id order), honouring collapsed nodes.
 * With a filter, matches are shown with their ancestors as context. O(n).
 */
export function flattenTree(
  vhms: readonly Vhm[],
  filter: TreeFilter,
  collapsed: ReadonlySet<string>,
): TreeRow[] {
  const byIdMap = new Map<string, Vhm>();
  for (const v of vhms) byIdMap.set(v.id, v);
  const kids = new Map<string, Vhm[]>();
  const roots: Vhm[] = [];
  for (const v of vhms) {
    if (v.parent && byIdMap.has(v.parent)) {
      const k = kids.get(v.parent);
      if (k) k.push(v);
      else kids.set(v.parent, [v]);
    } else roots.push(v);
  }
  roots.sort(byId);
  for (const k of kids.values()) k.sort(byId);
  const q = filter.q.trim().toLowerCase();
  const filtering = q !== '' || filter.state !== '' || filter.tenant !== '';
  const matches = (v: Vhm) =>
    (q === '' || v.name.toLowerCase().includes(q) || v.id.includes(q)) &&
    (filter.state === '' || v.state === filter.state) &&
    (filter.tenant === '' || v.tenant === filter.tenant);
  // Which nodes to show: matches and their ancestors.
  let show: Set<string> | null = null;
  if (filtering) {
    show = new Set();
    for (const v of vhms) {
      if (!matches(v)) continue;
      let cur: Vhm | undefined = v;
      while (cur && !show.has(cur.id)) {
        show.add(cur.id);
        cur = cur.parent ? byIdMap.get(cur.parent) : undefined;
      }
    }
  }
  const out: TreeRow[] = [];
  const stack: Array<[Vhm, number]> = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push([roots[i]!, 0]);
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (show && !show.has(v.id)) continue;
    const children = kids.get(v.id) ?? [];
    out.push({ vhm: v, depth, hasChildren: children.length > 0, context: filtering && !matches(v) });
    if (collapsed.has(v.id)) continue;
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, depth + 1]);
  }
  return out;
}
