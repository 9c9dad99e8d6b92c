import { runSubgraphProcess } from '@cdo-hub/subgraph-kit';
import { scienceSubgraph } from './index';

void runSubgraphProcess(scienceSubgraph());
