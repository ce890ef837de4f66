import { QueryClient } from '@tanstack/react-query';
import { renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { qk } from '../src/api/keys';
import { useLiveStream } from '../src/api/live';
import { mockApi } from './helpers';

// The live stream starts one entry before the head, so the server answers at once. That entry is
// already in what the page just read: it must not refetch the page's queries (it did, on every
// load: a second /v1/overview and a wave of re-renders). Entries after it do.

const entry = (seq: number) => ({
  seq,
  l: seq,
  type: 'vhm.paused',
  vhm: 'vhm-1',
  actor: 'operator',
  payload: { vhm: 'vhm-1' },
});
const frame = (seq: number) => `id: ${seq}\nevent: entry\ndata: ${JSON.stringify(entry(seq))}\n\n`;

function sse() {
  let push: (s: string) => void = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      push = (s) => c.enqueue(new TextEncoder().encode(s));
    },
  });
  return { body, push: (s: string) => push(s) };
}

describe('live stream', () => {
  it('reads the head through the overview query and refetches nothing for the entry it starts on', async () => {
    const stream = sse();
    const { calls } = mockApi({
      'GET /v1/overview': { seq: 10, l: 10, head: 'h10' },
      'GET /v1/trace/stream': () =>
        new Response(stream.body, { status: 200, headers: { 'content-type': 'text/event-stream' } }),
    });
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    // The page read its VHMs a moment ago.
    qc.setQueryData(qk.vhms(), []);
    qc.setQueryData(qk.vhm('vhm-1'), { id: 'vhm-1' });
    renderHook(() => useLiveStream(qc, 'xdv_test', true));
    await waitFor(() => expect(calls.some((c) => c.url.startsWith('/v1/trace/stream'))).toBe(true));
    expect(calls.find((c) => c.url.startsWith('/v1/trace/stream'))?.url).toBe('/v1/trace/stream?after=9');
    // The overview the stream read is the page's: cached, not read a second time later.
    expect(qc.getQueryData(qk.overview())).toMatchObject({ seq: 10 });

    stream.push(frame(10));
    await waitFor(() => expect(qc.getQueryData<{ seq: number }[]>(qk.liveTail())?.at(-1)?.seq).toBe(10));
    await new Promise((r) => setTimeout(r, 300)); // past the stream's 200 ms coalescing
    expect(qc.getQueryState(qk.vhm('vhm-1'))?.isInvalidated).toBe(false);
    expect(qc.getQueryState(qk.vhms())?.isInvalidated).toBe(false);
    expect(calls.filter((c) => c.url === '/v1/overview')).toHaveLength(1);

    // A new entry changes what the page shows.
    stream.push(frame(11));
    await waitFor(() => expect(qc.getQueryState(qk.vhm('vhm-1'))?.isInvalidated).toBe(true));
    expect(qc.getQueryState(qk.vhms())?.isInvalidated).toBe(true);
    expect(qc.getQueryData(qk.overview())).toMatchObject({ seq: 11, l: 11 });
  });
});
