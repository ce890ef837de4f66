import { canonicalJson, type Entry, type Right, scenario, sign } from '@xdv/core';
import { CheckFailure, type Http, type JsonObject, must, ok, type Reply } from './http.js';

// Everything a check creates is named under one run prefix, on providers the suite registers
// itself, so a run against a shared service never touches (or is disturbed by) existing objects.

export interface TenantRef {
  id: string;
  admin: string;
  viewer: string;
}

export interface VhmRef {
  id: string;
  root: string;
  token: string;
}

export interface ProviderRef {
  id: string;
  name: string;
  seed: number;
  /** Last signed report sequence number used for this provider. */
  reportSeq: number;
}

export interface Head {
  seq: number;
  hash: string;
  l: number;
}

/** What a check records as proof: the codes it saw and the trace seqs that logged them. */
export class Evidence {
  readonly codes: string[] = [];
  readonly seqs: number[] = [];
  readonly notes: string[] = [];
  code(c: string): void {
    if (!this.codes.includes(c)) this.codes.push(c);
  }
  seq(n: number): void {
    this.seqs.push(n);
  }
  note(s: string): void {
    this.notes.push(s);
  }
}

export class World {
  private n = 0;
  private seedN: number;
  constructor(
    readonly http: Http,
    readonly prefix: string,
    seedBase: number,
  ) {
    this.seedN = seedBase;
  }

  name(what: string): string {
    return `${this.prefix}-${what}-${++this.n}`;
  }

  async head(): Promise<Head> {
    const r = await ok('read the trace head', this.http.get<{ head: Head }>('/v1/trace?limit=1'));
    return r.head;
  }

  async tenant(): Promise<TenantRef> {
    const quota = { vhms: 1000, memory: 2 ** 40, cpu: 100_000, qubits: 100_000, envelopes: 10_000 };
    const c = await ok(
      'create tenant',
      this.http.post<{ created: { tenant: string } }>('/v1/tenants', { name: this.name('tenant'), quota }),
    );
    const id = c.created.tenant;
    const mint = async (role: 'admin' | 'viewer') =>
      (
        await ok(
          `mint ${role} token`,
          this.http.post<{ secret: string }>('/v1/tokens', {
            kind: 'tenant',
            tenant: id,
            role,
            label: this.name(role),
          }),
        )
      ).secret;
    return { id, admin: await mint('admin'), viewer: await mint('viewer') };
  }

  async provider(
    domain: 'K' | 'Q' | 'PHI',
    capacity: Record<string, number>,
    operations: string[] = [],
  ): Promise<ProviderRef> {
    const seed = ++this.seedN;
    const name = this.name(domain === 'PHI' ? 'phi' : domain.toLowerCase());
    const reg = scenario.registration(name, domain, capacity, seed, { operations });
    const signature = sign('xdv/provider-registration/v1', reg, scenario.providerKeys(seed).secretKey);
    const r = await ok(
      `register provider ${name}`,
      this.http.post<{ created: { provider: string } }>('/v1/providers', { registration: reg, signature }),
    );
    return { id: r.created.provider, name, seed, reportSeq: 0 };
  }

  async calibration(p: ProviderRef, from: number, until: number): Promise<string> {
    const r = await ok(
      'issue calibration',
      this.http.post<{ created: { calibration: string } }>(`/v1/providers/${p.id}/calibrations`, {
        from,
        until,
      }),
    );
    return r.created.calibration;
  }

  /** A signed Φ stability report from one of the suite's own providers. */
  phiReport(p: ProviderRef, envelope: string, stability: number): Promise<Reply> {
    const report = {
      provider: p.id,
      seq: ++p.reportSeq,
      envelopes: [{ envelope, stability, noise: 100, drift: 100, impact: 0 }],
    };
    const signature = sign('xdv/provider-report/v1', report, scenario.providerKeys(p.seed).secretKey);
    return this.http.post(`/v1/providers/${p.id}/reports/phi`, { report, signature });
  }

  /** A root VHM, validated and activated, with its root capability. */
  async vhm(t: TenantRef, quota: Partial<Record<string, number>> = {}): Promise<VhmRef> {
    const q = { memory: 1 << 20, cpu: 32, qubits: 40, envelopes: 4, ...quota };
    const c = await ok(
      'create VHM',
      this.http.post<{ created: { vhm: string; capability: string } }>(
        '/v1/vhms',
        { name: this.name('vhm'), quota: q },
        t.admin,
      ),
    );
    const id = c.created.vhm;
    await ok('validate VHM', this.http.post(`/v1/vhms/${id}/validate`, undefined, t.admin));
    await ok('activate VHM', this.http.post(`/v1/vhms/${id}/activate`, undefined, t.admin));
    return { id, root: c.created.capability, token: t.admin };
  }

  async derive(v: VhmRef, cap: string, rights: Right[]): Promise<string> {
    const r = await ok(
      'derive capability',
      this.http.post<{ created: { capability: string } }>(
        `/v1/vhms/${v.id}/capabilities/${cap}/derive`,
        { rights },
        v.token,
      ),
    );
    return r.created.capability;
  }

  async process(v: VhmRef, cap = v.root): Promise<string> {
    const r = await ok(
      'spawn process',
      this.http.post<{ created: { process: string } }>(
        `/v1/vhms/${v.id}/processes`,
        { capability: cap, name: this.name('proc') },
        v.token,
      ),
    );
    return r.created.process;
  }

  async allocate(v: VhmRef, body: JsonObject, cap = v.root): Promise<string> {
    const r = await ok(
      `allocate ${String(body.domain)} contract`,
      this.http.post<{ created: { contract: string } }>(
        `/v1/vhms/${v.id}/contracts`,
        { capability: cap, ...body },
        v.token,
      ),
    );
    return r.created.contract;
  }

  /** Allocate, activate and bind a contract all the way to an active binding. */
  async bind(v: VhmRef, body: JsonObject, cap = v.root): Promise<{ contract: string; binding: string }> {
    const contract = await this.allocate(v, body, cap);
    await ok(
      'activate contract',
      this.http.post(`/v1/contracts/${contract}/activate`, { capability: cap }, v.token),
    );
    const b = await ok(
      'request binding',
      this.http.post<{ created: { binding: string } }>(
        `/v1/vhms/${v.id}/bindings`,
        { capability: cap, contract },
        v.token,
      ),
    );
    const binding = b.created.binding;
    await ok(
      'validate binding',
      this.http.post(`/v1/bindings/${binding}/validate`, { capability: cap }, v.token),
    );
    await ok(
      'activate binding',
      this.http.post(`/v1/bindings/${binding}/activate`, { capability: cap }, v.token),
    );
    return { contract, binding };
  }

  async entry(seq: number): Promise<Entry> {
    const r = await ok(
      `read trace entry ${seq}`,
      this.http.get<{ items: Entry[] }>(`/v1/trace?after=${seq - 1}&limit=1`),
    );
    const e = r.items[0];
    must(e && e.seq === seq, `trace entry ${seq} is missing`);
    return e;
  }

  /** Entries of one command group: the command at `seq` and the effects that follow it. */
  async group(seq: number): Promise<Entry[]> {
    const r = await ok(
      `read trace group ${seq}`,
      this.http.get<{ items: Entry[] }>(`/v1/trace?after=${seq - 1}&limit=200`),
    );
    const out: Entry[] = [];
    for (const e of r.items) {
      if (e.seq !== seq && e.outcome !== 'effect') break;
      out.push(e);
    }
    return out;
  }

  /** The whole trace, page by page (operator view: every entry, with its canonical text and hash). */
  async trace(): Promise<Entry[]> {
    const out: Entry[] = [];
    let after = 0;
    for (;;) {
      const r = await ok(
        'download the trace',
        this.http.get<{ items: Entry[]; nextAfter: number | null }>(`/v1/trace?after=${after}&limit=1000`),
      );
      out.push(...r.items);
      if (r.nextAfter === null || r.items.length === 0) return out;
      after = r.nextAfter;
    }
  }

  /** The resources of some VHMs as the operator sees them, to prove a refusal mutated nothing. */
  async snapshot(vhms: string[]): Promise<string> {
    const parts: unknown[] = [];
    for (const id of vhms) {
      for (const path of [
        `/v1/vhms/${id}`,
        `/v1/contracts?vhm=${id}&limit=500`,
        `/v1/bindings?vhm=${id}&limit=500`,
        `/v1/vhms/${id}/capabilities?limit=500`,
        `/v1/vhms/${id}/processes?limit=500`,
        `/v1/vhms/${id}/snapshots?limit=500`,
      ])
        parts.push((await ok(`read ${path}`, this.http.get(path))) as unknown);
    }
    return canonicalJson(parts as never);
  }

  /**
   * XDV-084 §4.2 shape of a refusal: the expected code, logged in the trace as a rejected command
   * with that code, no change to the named VHMs' resources, and the same answer when repeated.
   */
  async rejected(
    ev: Evidence,
    label: string,
    send: () => Promise<Reply>,
    code: string,
    opts: { vhms?: string[]; logged?: boolean } = {},
  ): Promise<void> {
    const vhms = opts.vhms ?? [];
    const before = vhms.length ? await this.snapshot(vhms) : '';
    const answers: Array<{ status: number; code: string; seq: number | null }> = [];
    for (let i = 0; i < 2; i++) {
      const r = await send();
      const b = (r.body ?? {}) as { code?: unknown; seq?: unknown; params?: unknown };
      const got = typeof b.code === 'string' ? b.code : `HTTP ${r.status}`;
      if (r.status < 400 || got !== code)
        throw new CheckFailure(`${label}: expected ${code}, got ${r.status} ${JSON.stringify(r.body)}`);
      const seq = typeof b.seq === 'number' ? b.seq : null;
      if (opts.logged !== false) {
        must(seq !== null, `${label}: the refusal names no trace seq`);
        const e = await this.entry(seq);
        must(
          e.outcome === 'rejected' && e.payload.code === code,
          `${label}: trace entry ${seq} is ${e.outcome} ${String(e.payload.code)}, not a rejection with ${code}`,
        );
        // The record is data, never prose: the code and its structured params, which the answer
        // carries too (its detail is rendered from them), so rewording a message changes no hash.
        must(
          Object.keys(e.payload).sort().join() === 'actor,code,command,params',
          `${label}: trace entry ${seq} records ${Object.keys(e.payload).sort().join(', ')}, not exactly actor, code, command, params`,
        );
        must(
          canonicalJson((b.params ?? null) as never) === canonicalJson((e.payload.params ?? null) as never),
          `${label}: the answer's params ${JSON.stringify(b.params)} are not the recorded ${JSON.stringify(e.payload.params)}`,
        );
        ev.seq(seq);
      }
      answers.push({ status: r.status, code: got, seq });
    }
    must(
      answers[0]!.status === answers[1]!.status,
      `${label}: the same command was answered ${answers[0]!.status} then ${answers[1]!.status}`,
    );
    if (vhms.length) {
      const after = await this.snapshot(vhms);
      must(before === after, `${label}: the refusal changed the state of ${vhms.join(', ')}`);
    }
    ev.code(code);
    ev.note(`${label}: ${code}`);
  }
}
