// Every error the server answers is RFC 9457 problem+json with a stable `code`. The client turns
// each one into an XdvProblem, so callers branch on `code` (and read `params`) and never on prose.

/** The problem body the server sends (RFC 9457 members plus the hypervisor's code and params). */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  /** Stable error code: the spec's Q_ERR_* / PHI_ERR_*, or the hypervisor's HV_*. */
  code: string;
  /** The sentence a person reads, rendered by the server from code and params. */
  detail: string;
  instance?: string;
  /** Structured data of the refusal: ids, quantities, states, a reason token. */
  params?: Record<string, unknown>;
}

/** Code of an error answer whose body is not a problem document (a proxy's 502 page, say). */
export const NOT_A_PROBLEM = 'XDV_CLIENT_NOT_A_PROBLEM';

export class XdvProblem extends Error {
  override readonly name = 'XdvProblem';
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly type: string;
  readonly instance: string | undefined;
  readonly params: Record<string, unknown>;

  constructor(body: ProblemBody) {
    super(`${body.code}: ${body.detail}`);
    this.status = body.status;
    this.code = body.code;
    this.title = body.title;
    this.detail = body.detail;
    this.type = body.type;
    this.instance = body.instance;
    this.params = body.params ?? {};
  }

  /** The problem of an error response, from its already-parsed body (any shape). */
  static fromResponse(response: Response, body: unknown): XdvProblem {
    if (isProblemBody(body))
      return new XdvProblem({
        ...body,
        type: typeof body.type === 'string' ? body.type : 'about:blank',
        title: typeof body.title === 'string' ? body.title : response.statusText,
      });
    const text = typeof body === 'string' ? body.slice(0, 200) : '';
    return new XdvProblem({
      type: 'about:blank',
      title: response.statusText || `HTTP ${response.status}`,
      status: response.status,
      code: NOT_A_PROBLEM,
      detail: `${response.url || 'the server'} answered ${response.status} without a problem document${text ? `: ${text}` : ''}`,
    });
  }
}

export function isProblemBody(v: unknown): v is ProblemBody {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return typeof o.code === 'string' && typeof o.detail === 'string' && typeof o.status === 'number';
}

export function isXdvProblem(e: unknown): e is XdvProblem {
  return e instanceof XdvProblem;
}
