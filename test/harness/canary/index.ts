export {
  CANARY_TABLES,
  INTERNAL_ROW_KEYS,
  NOT_SEEDABLE,
  seededCoordinates,
  type CanaryColumn,
  type CanaryForm,
  type CanaryTable,
} from './canaryColumns';
export { CanaryHub, type Exchange } from './canaryHub';
export { CanaryOracle, channelKind, formatFindings, type Finding } from './canaryOracle';
export { canaryMapGaps } from './completeness';
export {
  connectionOperation,
  connectionPaths,
  isConnectionType,
  pageInfosIn,
  walkConnection,
  type ConnectionPath,
  type WalkingHub,
  type WalkOptions,
  type WalkRoot,
} from './connectionWalk';
export { walkRoots } from './walkRoots';
export { PolicyViews, shippedPolicyFiles, type FieldAccess, type View } from './policyViews';
export { scanResponse, scanText, type ReceivedResponse, type Sighting } from './scanChannels';
export {
  CanaryRegistry,
  canaryValue,
  checkInternalKeysKept,
  seedSmallDatasets,
  writeCanaries,
  type Canary,
} from './seedCanaries';
export { withheldButPresent, type WithheldButPresent } from './withheldFields';
export { probeCursorForm } from './cursorProbe';
