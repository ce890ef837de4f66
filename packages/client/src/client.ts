import createClient, { type Client, type FetchResponse, type MaybeOptionalInit } from 'openapi-fetch';
import type { HttpMethod, MediaType, PathsWithMethod, RequiredKeysOf } from 'openapi-typescript-helpers';
import type { paths } from './openapi.gen.js';
import { XdvProblem } from './problem.js';
import { type EventStreamOptions, openEventStream } from './stream.js';

// The typed client: openapi-fetch over the generated `paths`, with the bearer token on every
// request. `xdv.GET/POST/PUT/DELETE/PATCH` resolve to the success body and throw XdvProblem on any
// error answer; `xdv.raw` is the plain openapi-fetch client ({ data, error, response }) for callers
// that want headers or branch without exceptions (its `error` is the same problem body).

export interface XdvClientOptions {
  /** The server's origin, e.g. http://127.0.0.1:8080 (paths in calls start with /v1). */
  baseUrl: string;
  /** A bearer token (operator, tenant or provider); omit for the public health routes. */
  token?: string;
  /** A fetch to use instead of the global one (tests, proxies). */
  fetch?: typeof globalThis.fetch;
}

// openapi-fetch's own parameter shape (not exported by it): optional when nothing is required.
type InitParam<Init> =
  RequiredKeysOf<Init> extends never
    ? [(Init & { [key: string]: unknown })?]
    : [Init & { [key: string]: unknown }];

type Answer<Path extends keyof paths, Method extends HttpMethod, Init> = NonNullable<
  Extract<
    FetchResponse<paths[Path][Method] & Record<string | number, unknown>, Init, MediaType>,
    { error?: never }
  >['data']
>;

// A mutation answers either what it committed or, with ?dryRun=true, a preview ({ dryRun: true }).
// The call's own query says which, so the type is narrowed to the one asked for.
type DryRun<Init> = Init extends { params: { query: { dryRun: infer D } } } ? D : false;
type Narrowed<Body, Init> = [DryRun<Init>] extends [true]
  ? Extract<Body, { dryRun: true }>
  : [DryRun<Init>] extends [false | undefined]
    ? Exclude<Body, { dryRun: true }>
    : Body;

/** The success body of one call: the committed answer, or the preview when it asked for a dry run. */
export type SuccessBody<Path extends keyof paths, Method extends HttpMethod, Init = undefined> = Narrowed<
  Answer<Path, Method, Init>,
  Init
>;

type DataMethod<Method extends HttpMethod> = <
  Path extends PathsWithMethod<paths, Method>,
  Init extends MaybeOptionalInit<paths[Path], Method>,
>(
  url: Path,
  ...init: InitParam<Init>
) => Promise<SuccessBody<Path, Method, Init>>;

export interface XdvClient {
  readonly baseUrl: string;
  /** The generated openapi-fetch client: `{ data, error, response }`, never throws on an error answer. */
  readonly raw: Client<paths>;
  readonly GET: DataMethod<'get'>;
  readonly POST: DataMethod<'post'>;
  readonly PUT: DataMethod<'put'>;
  readonly PATCH: DataMethod<'patch'>;
  readonly DELETE: DataMethod<'delete'>;
  /** Follow the trace's event stream with this client's token (see openEventStream). */
  stream(opts: Omit<EventStreamOptions, 'url' | 'token' | 'fetch'> & { path?: string }): () => void;
}

/** The body of a success, or the answer's problem thrown as XdvProblem. */
export function unwrap<D>(result: { data?: D; error?: unknown; response: Response }): D {
  if (result.error !== undefined || !result.response.ok)
    throw XdvProblem.fromResponse(result.response, result.error);
  return result.data as D;
}

export function createXdvClient(opts: XdvClientOptions): XdvClient {
  const baseUrl = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const raw = createClient<paths>({
    baseUrl,
    fetch: (req: Request) => doFetch(req),
    ...(opts.token ? { headers: { authorization: `Bearer ${opts.token}` } } : {}),
  });
  // The generic signatures are the typed surface; at run time each is one call and one unwrap.
  const call =
    (m: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE') =>
    async (url: string, init?: object): Promise<unknown> =>
      unwrap(await (raw[m] as (u: string, i?: object) => Promise<FetchResult>)(url, init));
  return {
    baseUrl,
    raw,
    GET: call('GET') as DataMethod<'get'>,
    POST: call('POST') as DataMethod<'post'>,
    PUT: call('PUT') as DataMethod<'put'>,
    PATCH: call('PATCH') as DataMethod<'patch'>,
    DELETE: call('DELETE') as DataMethod<'delete'>,
    stream: ({ path, ...rest }) =>
      openEventStream({
        ...rest,
        url: baseUrl + (path ?? '/v1/trace/stream'),
        token: opts.token ?? '',
        fetch: doFetch,
      }),
  };
}

type FetchResult = { data?: unknown; error?: unknown; response: Response };
