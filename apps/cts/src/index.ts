export { runAll, type Shared, type Status, TESTS, type TestDef, type TestResult } from './checks.js';
export {
  type Cluster,
  type ClusterNode,
  externalCluster,
  type NodeControl,
  startCluster,
} from './cluster.js';
export { CheckFailure, Http, type Reply } from './http.js';
export {
  buildBody,
  REPORT_KIND,
  type ReportBody,
  reportKey,
  reportMessage,
  type SignedReport,
  signReport,
  type Verdict,
  verifyReport,
} from './report.js';
export { runSuite } from './run.js';
export { type LocalService, startLocal } from './server.js';
export { Evidence, World } from './world.js';
