// §7 hypervisor conformance: VHM isolation and nested virtualization.

import type { Entry } from '@xdv/core';
import { must, ok } from '../http.js';
import type { VhmRef } from '../world.js';
import { kBody, qBody, qSetup } from './support.js';
import type { TestDef } from './types.js';

export const HYPERVISOR_TESTS: TestDef[] = [
  {
    id: 'hypervisor.vhm.isolation',
    section: '7.1',
    module: 'hypervisor/vhm_isolation_tests',
    title: 'Resource cross-binding between VHMs is refused; another tenant sees nothing',
    mandatory: true,
    run: async (w, ev, s) => {
      const k = await w.provider('K', { memory: 1 << 22, cpu: 64 });
      const { q, cal } = await qSetup(w);
      const a = await w.vhm(s.t1);
      const b = await w.vhm(s.t1);
      const kc = await w.allocate(a, kBody(k, 0));
      const { binding: qb } = await w.bind(a, qBody(q, cal));
      const vhms = [a.id, b.id];
      await w.rejected(
        ev,
        "bind another VHM's contract",
        () => w.http.post(`/v1/vhms/${b.id}/bindings`, { capability: b.root, contract: kc }, b.token),
        'HV_CONTRACT_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        "activate another VHM's contract",
        () => w.http.post(`/v1/contracts/${kc}/activate`, { capability: b.root }, b.token),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        "run a job on another VHM's Q binding",
        () => w.http.post(`/v1/bindings/${qb}/jobs`, { capability: b.root, cost: 1 }, b.token),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        'another tenant allocates in the VHM',
        () =>
          w.http.post(`/v1/vhms/${a.id}/contracts`, { capability: a.root, ...kBody(k, 1 << 20) }, s.t2.admin),
        'HV_NOT_FOUND',
        { vhms },
      );
      for (const path of [
        `/v1/vhms/${a.id}`,
        `/v1/contracts/${kc}`,
        `/v1/bindings/${qb}`,
        `/v1/vhms/${a.id}/capabilities`,
      ]) {
        const r = await w.http.get(path, s.t2.admin);
        must(
          r.status === 404 && r.body.code === 'HV_NOT_FOUND',
          `another tenant reading ${path} got ${r.status}`,
        );
      }
      const list = await ok(
        'list as other tenant',
        w.http.get<{ items: Array<{ id: string }> }>('/v1/vhms?limit=500', s.t2.admin),
      );
      must(!list.items.some((v) => v.id === a.id), "another tenant's VHM list shows the VHM");
      const tr = await ok(
        'trace as other tenant',
        w.http.get<{ items: Entry[] }>(`/v1/trace?vhm=${a.id}&limit=1000`, s.t2.admin),
      );
      must(
        tr.items.every((e) => e.tenant === s.t2.id),
        "another tenant's trace shows the VHM's entries",
      );
      ev.note('4 reads by another tenant answered 404; its lists and trace omit the VHM');
    },
  },
  {
    id: 'hypervisor.nested.virtualization',
    section: '7.2',
    module: 'hypervisor/nested_virtualization_tests',
    title: 'A nested VHM has its own capability root: parent capabilities are refused in it',
    mandatory: true,
    run: async (w, ev, s) => {
      const k = await w.provider('K', { memory: 1 << 22, cpu: 64 });
      const a = await w.vhm(s.t1);
      const pc = await w.allocate(a, kBody(k, 0));
      const r = await ok(
        'spawn nested VHM',
        w.http.post<{ created: { vhm: string; capability: string } }>(
          '/v1/vhms',
          { name: w.name('child'), quota: { memory: 1 << 16, cpu: 4 }, parent: a.id, capability: a.root },
          a.token,
        ),
      );
      const child: VhmRef = { id: r.created.vhm, root: r.created.capability, token: a.token };
      await ok('validate child', w.http.post(`/v1/vhms/${child.id}/validate`, undefined, a.token));
      await ok('activate child', w.http.post(`/v1/vhms/${child.id}/activate`, undefined, a.token));
      must(child.root !== a.root, 'the child reuses the parent capability');
      const vhms = [a.id, child.id];
      await w.rejected(
        ev,
        'parent capability used in the child',
        () =>
          w.http.post(
            `/v1/vhms/${child.id}/contracts`,
            { capability: a.root, ...kBody(k, 1 << 20) },
            a.token,
          ),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        'child capability used in the parent',
        () =>
          w.http.post(
            `/v1/vhms/${a.id}/contracts`,
            { capability: child.root, ...kBody(k, 1 << 20) },
            a.token,
          ),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        "child binds the parent's contract",
        () => w.http.post(`/v1/vhms/${child.id}/bindings`, { capability: child.root, contract: pc }, a.token),
        'HV_CONTRACT_FOREIGN',
        { vhms },
      );
      await w.rejected(
        ev,
        'parent capability spawns a grandchild',
        () =>
          w.http.post(
            '/v1/vhms',
            { name: w.name('gc'), quota: { memory: 1024 }, parent: child.id, capability: a.root },
            a.token,
          ),
        'HV_CAP_FOREIGN',
        { vhms },
      );
      await w.allocate(child, kBody(k, 1 << 20));
      ev.note('the child allocates with its own root capability');
    },
  },
];
