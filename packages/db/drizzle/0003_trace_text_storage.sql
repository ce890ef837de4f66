-- The trace's canonical text is stored uncompressed: a long entry (a signed provider report carries
-- a 6.6 KB hex signature) gains nothing from pglz and paid for trying on every append. Safe to run
-- twice; it applies to rows written from now on.
ALTER TABLE "trace" ALTER COLUMN "text" SET STORAGE EXTERNAL;
