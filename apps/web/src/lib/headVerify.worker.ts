import { type HeadVerifyRequest, headSignatureProblem } from './headVerify';

// The ML-DSA-65 check of a signed head, off the page's main thread: one verification is ~30 ms of
// pure JS here (over 100 ms on a throttled phone), long enough to hold up a tap while the trace
// page loads. lib/head.ts posts { head, publicKey } and reads back the problem (null: it verifies).

self.onmessage = (ev: MessageEvent<HeadVerifyRequest>) => {
  self.postMessage(headSignatureProblem(ev.data.head, ev.data.publicKey));
};
