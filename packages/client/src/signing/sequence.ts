// The report sequence rule: every report a provider signs carries `seq`, an integer ≥ 1 greater than
// the seq of the last report the hypervisor accepted from it (gaps are allowed). A report at or
// below that is refused as a replay (409 HV_CONFLICT, params.reason "report_replayed"). A refused
// report does not move the provider's last seq, and neither does re-attestation. The last accepted
// seq is `provider.lastReportSeq` in `GET /v1/providers/{id}/workload`.

export class ReportSequence {
  /** @param last the provider's last accepted report seq (0 before its first report). */
  constructor(private last: number) {
    if (!Number.isSafeInteger(last) || last < 0)
      throw new RangeError('the last report seq is an integer ≥ 0');
  }

  /** The seq for the next report; call again for each report signed, accepted or not. */
  next(): number {
    this.last += 1;
    return this.last;
  }

  /** Catch up with what the server reports (a restart, or reports sent by another process). */
  observe(lastAccepted: number): void {
    if (lastAccepted > this.last) this.last = lastAccepted;
  }

  get current(): number {
    return this.last;
  }
}
