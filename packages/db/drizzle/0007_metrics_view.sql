DROP TABLE "metrics" CASCADE;--> statement-breakpoint
-- Metric samples as a view over the trace: the signed report entries hold every sample already, so
-- SQL reporting reads them from there (nothing is written twice, and nothing can disagree).
CREATE VIEW "metrics" AS
SELECT j."p" ->> 'provider' AS "provider",
       'qubit ' || (q ->> 'qubit') AS "subject",
       m."metric",
       e."l",
       (q ->> m."metric")::bigint AS "value",
       e."seq"
FROM "trace" e
CROSS JOIN LATERAL (SELECT e."text"::jsonb -> 'payload' AS "p") j
CROSS JOIN LATERAL jsonb_array_elements(j."p" -> 'qubits') AS q
CROSS JOIN unnest(ARRAY['t1', 't2', 'fidelity', 'readoutError']) AS m("metric")
WHERE e."type" = 'q.metrics.reported' AND jsonb_typeof(q -> m."metric") = 'number'
UNION ALL
SELECT j."p" ->> 'provider',
       v ->> 'envelope',
       m."metric",
       e."l",
       (v ->> m."metric")::bigint,
       e."seq"
FROM "trace" e
CROSS JOIN LATERAL (SELECT e."text"::jsonb -> 'payload' AS "p") j
CROSS JOIN LATERAL jsonb_array_elements(j."p" -> 'envelopes') AS v
CROSS JOIN unnest(ARRAY['stability', 'noise', 'drift', 'impact']) AS m("metric")
WHERE e."type" = 'phi.stability.reported'
  AND jsonb_typeof(v -> 'envelope') = 'string'
  AND jsonb_typeof(v -> m."metric") = 'number';
